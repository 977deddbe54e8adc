--[[
front-back-matter.lua — the publication's front and back matter as content.

From report.qmd's metadata this filter builds
  front: series line, About the Author (bio), the series statement, the disclaimer;
  back:  the publisher, editorial credits, web address, the back-page disclaimer.
Runs after citeproc (under Quarto, it runs citeproc itself). The one setting is the metadata key `front-back-matter`:

  body (default; DOCX, Quarto's HTML): the front goes before the body and the
    back after the bibliography, each a Div (#front-matter, #back-matter) so
    stylesheets and reference docs can style it.
  template (the HTML edition, pandoc/templates/perry.html): the template
    prints title, series line and byline itself, so nothing is added to the
    body. The parts are handed to the template as the variable `front-back`
    (about, statement, disclaimer, back), and so is the bibliography, taken
    out of the body (`front-back.references`, headed `reference-section-title`)
    so the page can print it after the notes. A level-1 "Notes" heading
    (metadata `notes-title`) closes the body, right above pandoc's notes.

Its words ("By", "About the Author") are the metadata `perry-labels` perrypress gives
pandoc in the paper's language (src/perrypress/sources/languages/); a missing one is an error().

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local utils = require 'pandoc.utils'

-- Quarto's error() only logs and lets the render go on (quarto-cli src/resources/filters/common/log.lua):
-- this one stops it, under pandoc and under Quarto (an object, so assert puts no position in front).
local function error (message)
  assert(false, setmetatable({}, { __tostring = function () return message end }))
end

-- Metadata value as Blocks (MetaBlocks, MetaInlines or a string).
local function blocks (value)
  if value == nil then return pandoc.Blocks {} end
  local t = utils.type(value)
  if t == 'Blocks' then return value end
  if t == 'Inlines' then return pandoc.Blocks { pandoc.Para(value) } end
  return pandoc.Blocks { pandoc.Para { pandoc.Str(utils.stringify(value)) } }
end

local function inlines (value)
  if value == nil then return pandoc.Inlines {} end
  if utils.type(value) == 'Inlines' then return value end
  return pandoc.Inlines { pandoc.Str(utils.stringify(value)) }
end

-- The label `key` in the paper's language (metadata `perry-labels`, from src/perrypress/sources/languages/).
local function label (meta, key)
  local value = (meta['perry-labels'] or {})[key]
  if value == nil then
    error(('metadata perry-labels.%s is missing — build with perrypress, which gives pandoc the labels of the paper\'s language')
      :format(key), 0)
  end
  return utils.stringify(value)
end

-- "About the Author", or "About the Authors" for several.
local function about_title (meta)
  return label(meta, #(meta['perry-authors'] or {}) > 1 and 'about-authors' or 'about-author')
end

-- The About the Author blocks: each author's name in bold, then the bio.
local function about (meta)
  local out = pandoc.Blocks {}
  for _, author in ipairs(meta['perry-authors'] or {}) do
    out:insert(pandoc.Para { pandoc.Strong(inlines(author.name)) })
    out:extend(blocks(author.bio))
  end
  return out
end

local function front (meta)
  local out = pandoc.Blocks {}
  local series = meta.series or {}
  local line = pandoc.Inlines {}
  line:extend(inlines(series.name))
  line:extend { pandoc.Space(), pandoc.Str '·', pandoc.Space() }
  line:extend(inlines(series.edition))
  line:extend { pandoc.Space(), pandoc.Str '|', pandoc.Space() }
  line:extend(inlines(series.number))
  line:extend { pandoc.Space(), pandoc.Str '(' }
  line:extend(inlines(series.month))
  line:insert(pandoc.Str ')')
  out:insert(pandoc.Div(pandoc.Para(line), pandoc.Attr('', { 'series-line' })))
  local byline = pandoc.Inlines { pandoc.Str(label(meta, 'by')), pandoc.Space() }
  for i, author in ipairs(meta['perry-authors'] or {}) do
    if i > 1 then byline:extend { pandoc.Str ',', pandoc.Space() } end
    byline:extend(inlines(author.name))
  end
  out:insert(pandoc.Div(pandoc.Para(byline), pandoc.Attr('', { 'byline' })))
  local heading = pandoc.Header(2, about_title(meta), pandoc.Attr('about-the-author', { 'unnumbered', 'unlisted' }))
  out:insert(pandoc.Div({ heading, table.unpack(about(meta)) }, pandoc.Attr('', { 'about-author' })))
  out:insert(pandoc.Div(blocks(series.statement), pandoc.Attr('', { 'series-statement' })))
  out:insert(pandoc.Div(blocks(meta.disclaimer), pandoc.Attr('', { 'disclaimer' })))
  return pandoc.Div(out, pandoc.Attr('front-matter', {}, { role = 'doc-preface' }))
end

local function back (meta)
  local out = pandoc.Blocks {}
  local publisher = meta.publisher or {}
  out:insert(pandoc.Para { pandoc.Strong(inlines(publisher.name)) })
  for _, credit in ipairs(meta.credits or {}) do
    local para = pandoc.Inlines {}
    para:extend(inlines(credit.role))
    para:extend { pandoc.Str ':', pandoc.Space() }
    para:extend(inlines(credit.name))
    out:insert(pandoc.Para(para))
  end
  if publisher.url then
    out:insert(pandoc.Para { pandoc.Link(inlines(publisher.web or publisher.url), utils.stringify(publisher.url)) })
  end
  out:extend(blocks(meta['back-disclaimer']))
  return pandoc.Div(out, pandoc.Attr('back-matter', {}, { role = 'contentinfo' }))
end

-- DOCX only: each part's Word paragraph style (pandoc's `custom-style`), defined
-- in the reference document src/perrypress/editions/reference_docx.py writes.
local DOCX_STYLES = {
  ['series-line'] = 'Series Line', ['byline'] = 'Byline', ['about-author'] = 'About Author',
  ['series-statement'] = 'Series Statement', ['disclaimer'] = 'Disclaimer', ['back-matter'] = 'Back Matter',
}

local function docx_style (div)
  for _, name in ipairs { div.identifier, table.unpack(div.classes) } do
    if DOCX_STYLES[name] then
      div.attributes['custom-style'] = DOCX_STYLES[name]
      return div
    end
  end
end

-- Remove citeproc's bibliography (its heading and Div#refs) from `doc`; return it.
local function take_references (doc)
  local kept, references = pandoc.Blocks {}, pandoc.Blocks {}
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Div' and block.identifier == 'refs' then
      references:insert(block)
    elseif block.t == 'Header' and block.identifier == 'bibliography' and block.classes:includes 'unnumbered' then
      -- citeproc's heading from reference-section-title: the template prints its own
    else
      kept:insert(block)
    end
  end
  doc.blocks = kept
  return references
end

local function has_notes (doc)
  local found = false
  doc.blocks:walk { Note = function () found = true end }
  return found
end

-- Plain text as MetaInlines the HTML template can print inside an attribute: escaped once, quotes too.
local function attribute (text)
  local escaped = text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;')
  return pandoc.MetaInlines { pandoc.RawInline('html', escaped) }
end

local function text_of (value)
  return value and utils.stringify(value) or ''
end

-- The address of `file` next to the page at `canonical` (the folder of the page's URL).
local function beside (canonical, file)
  if canonical == '' then return '' end
  return (canonical:match '^(.*/)' or (canonical .. '/')) .. file
end

-- Plain-text values for the page's <head> (description, authors, Google Scholar and Open Graph tags).
local function head (meta)
  local title, subtitle = text_of(meta.title), text_of(meta.subtitle)
  local full_title = subtitle ~= '' and (title .. ': ' .. subtitle) or title
  local series, publisher, site = meta.series or {}, meta.publisher or {}, meta.site or {}
  local authors, keywords = pandoc.List {}, pandoc.List {}
  for _, author in ipairs(meta['perry-authors'] or {}) do authors:insert(attribute(text_of(author.name))) end
  for _, keyword in ipairs(meta.keywords or {}) do keywords:insert(text_of(keyword)) end
  local canonical = text_of(site['canonical-url'])
  local edition = text_of(meta['edition-name'])
  local date = text_of(meta.date)
  local summary = text_of(meta.description or meta.abstract)
  return pandoc.MetaMap {
    title = attribute(title),
    ['full-title'] = attribute(full_title),
    description = attribute(summary ~= '' and summary or full_title),
    authors = pandoc.MetaList(authors),
    keywords = attribute(table.concat(keywords, ', ')),
    series = attribute(text_of(series.name)),
    number = attribute((text_of(series.number):gsub('^[Nn][Oo]%.?', ''):gsub('^[%s\194\160]+', ''))),
    publisher = attribute(text_of(publisher.name)),
    ['publisher-url'] = attribute(text_of(publisher.url)),
    canonical = attribute(canonical),
    ['pdf-url'] = attribute(edition ~= '' and beside(canonical, edition .. '.pdf') or ''),
    date = attribute(date),
    ['scholar-date'] = attribute((date:gsub('-', '/'))),
    lang = attribute((text_of(meta.lang):gsub('-', '_'))),
  }
end

local function for_template (doc)
  local meta = doc.meta
  local references = take_references(doc)
  if has_notes(doc) then
    local title = meta['notes-title'] and inlines(meta['notes-title']) or pandoc.Inlines { pandoc.Str(label(meta, 'notes')) }
    doc.blocks:insert(pandoc.Header(1, title, pandoc.Attr('notes', { 'unnumbered' })))
  end
  meta['front-back'] = pandoc.MetaMap {
    about = pandoc.MetaBlocks(about(meta)),
    statement = pandoc.MetaBlocks(blocks((meta.series or {}).statement)),
    disclaimer = pandoc.MetaBlocks(blocks(meta.disclaimer)),
    back = pandoc.MetaBlocks(back(meta).content),
    references = pandoc.MetaBlocks(references),
    head = head(meta),
  }
  doc.meta = meta
  return doc
end

-- Under Quarto, citeproc would run after every filter (quarto-cli src/command/render/filters.ts,
-- resolveFilters), but the back matter goes after the bibliography and the HTML template
-- takes the bibliography out of the body: there this filter runs citeproc itself, and
-- _quarto.yml's html and docx formats say `citeproc: false`, so Quarto runs no second pass
-- (filters.ts, citeMethod).
local function cited (doc)
  if quarto == nil then return doc end
  doc = utils.citeproc(doc)
  doc.meta['suppress-bibliography'] = true
  return doc
end

return {
  { Pandoc = function (doc)
      doc = cited(doc)
      if utils.stringify(doc.meta['front-back-matter'] or 'body') == 'template' then
        return for_template(doc)
      end
      doc.blocks:insert(1, front(doc.meta))
      doc.blocks:insert(back(doc.meta))
      if FORMAT:match 'docx' then
        doc.blocks[1] = doc.blocks[1]:walk { Div = docx_style }
        doc.blocks[#doc.blocks] = docx_style(doc.blocks[#doc.blocks]) or doc.blocks[#doc.blocks]
      end
      return doc
    end },
}

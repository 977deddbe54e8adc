--[[
docx-properties.lua — the DOCX edition's title block and document properties.

pandoc's DOCX writer fills docProps/core.xml from the metadata (title,
author, subject, keywords, lang, …) and writes every other metadata key to
docProps/custom.xml. For the editors' Word document this filter:

  - puts the title and subtitle on the cover, after the series line, as
    paragraphs in Word's Title and Subtitle styles (the template
    pandoc/templates/perry.openxml prints no title block of its own);
  - gives the writer plain author names: report.qmd's authors are
    {name, bio} maps, which pandoc cannot print as a document author;
  - sets the document title to "Title: Subtitle", the subject to the series
    line and the category to the series name (an explicit `subject:` or
    `category:` in the metadata wins);
  - keeps only the metadata the writer reads, so no build setting or file
    path (the CSL style's, the bibliography's) reaches docProps/custom.xml,
    under Quarto as under pandoc.

DOCX only (pandoc/defaults/docx.yaml). Runs after front-back-matter.lua,
which reads the authors' bios and makes the series line.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local utils = require 'pandoc.utils'

-- The metadata pandoc's DOCX writer reads; any other key would become a custom property.
-- Not toc-title: the DOCX has no contents, and Quarto sets one for every format.
local KEEP = {
  'title', 'author', 'subject', 'keywords', 'description', 'category', 'lang', 'dir',
  'toc', 'toc-depth', 'lof', 'lot', 'abstract', 'abstract-title',
  -- The digest of the sources the edition was built from (editions/render.py): the one custom
  -- property, which `perrypress absorb` reads to know the edition an edited copy started as.
  'perrypress-sources',
}

-- Under Quarto this filter runs inside Quarto's own Lua filter, at its post-render entry point
-- (quarto-cli src/resources/filters/main.lua), after front-back-matter.lua has run citeproc
-- itself; _quarto.yml's docx format says `citeproc: false`, so Quarto runs no citeproc after it
-- (src/command/render/filters.ts, citeMethod). The variables are gone by then too: {{< var >}}
-- is a shortcode, resolved in Quarto's pre stage from `_quarto-vars`
-- (src/resources/filters/quarto-pre/options.lua, var()), and Quarto's finalize stage does not
-- clean the metadata for DOCX (quarto-finalize/meta-cleanup.lua). So nothing needs more than KEEP.

local function inlines (value)
  if value == nil then return pandoc.Inlines {} end
  if utils.type(value) == 'Inlines' then return value:clone() end
  return pandoc.Inlines { pandoc.Str(utils.stringify(value)) }
end

-- A paragraph in the named Word style.
local function styled (content, style)
  return pandoc.Div(pandoc.Para(content), pandoc.Attr('', {}, { ['custom-style'] = style }))
end

-- The author names of a list of names or of {name, bio} maps.
local function author_names (authors)
  local names = pandoc.List {}
  if authors == nil then return names end
  if utils.type(authors) ~= 'List' then authors = pandoc.List { authors } end
  for _, author in ipairs(authors) do
    local name = utils.type(author) == 'table' and author.name or author
    names:insert(inlines(name))
  end
  return names
end

-- The title and subtitle, after the series line of the front matter (or first).
local function add_cover (blocks, meta)
  local cover = pandoc.Blocks {}
  if meta.title then cover:insert(styled(inlines(meta.title), 'Title')) end
  if meta.subtitle then cover:insert(styled(inlines(meta.subtitle), 'Subtitle')) end
  for _, block in ipairs(blocks) do
    if block.t == 'Div' and block.identifier == 'front-matter' then
      for i, part in ipairs(block.content) do
        if part.t == 'Div' and part.classes:includes 'series-line' then
          for j, paragraph in ipairs(cover) do block.content:insert(i + j, paragraph) end
          return blocks
        end
      end
    end
  end
  for i, paragraph in ipairs(cover) do blocks:insert(i, paragraph) end
  return blocks
end

local function series_line (blocks)
  local line
  blocks:walk { Div = function (div)
    if div.classes:includes 'series-line' then line = line or utils.stringify(div) end
  end }
  return line
end

local function properties (meta, blocks)
  local title = inlines(meta.title)
  if meta.subtitle then
    title:extend { pandoc.Str ':', pandoc.Space() }
    title:extend(inlines(meta.subtitle))
  end
  local series = meta.series or {}
  local out = {}
  for _, key in ipairs(KEEP) do out[key] = meta[key] end
  out.title = #title > 0 and title or nil
  local names = author_names(meta['perry-authors'])
  out.author = #names > 0 and names or nil
  out.subject = meta.subject or series_line(blocks) or series.name
  out.category = meta.category or series.name
  return pandoc.Meta(out)
end

return {
  { Pandoc = function (doc)
      local meta = properties(doc.meta, doc.blocks)
      return pandoc.Pandoc(add_cover(doc.blocks, doc.meta), meta)
    end },
}

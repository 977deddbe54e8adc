--[[
front-back-matter.lua — the publication's front and back matter as content.

For editions whose template cannot lay it out (DOCX, and the HTML body), this
filter builds, from report.qmd's metadata:
  front: series line, About the Author (bio), the series statement, the disclaimer;
  back:  the publisher, editorial credits, web address, the back-page disclaimer.
The front goes before the body, the back after the bibliography. Each part is
a Div (#front-matter, #back-matter) so stylesheets and reference docs can
style it. Runs after citeproc.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local utils = require 'pandoc.utils'

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
  local byline = pandoc.Inlines { pandoc.Str 'By', pandoc.Space() }
  for i, author in ipairs(meta.author or {}) do
    if i > 1 then byline:extend { pandoc.Str ',', pandoc.Space() } end
    byline:extend(inlines(author.name))
  end
  out:insert(pandoc.Div(pandoc.Para(byline), pandoc.Attr('', { 'byline' })))
  local about = pandoc.Blocks { pandoc.Header(2, 'About the Author', pandoc.Attr('about-the-author', { 'unnumbered', 'unlisted' })) }
  for _, author in ipairs(meta.author or {}) do
    about:insert(pandoc.Para { pandoc.Strong(inlines(author.name)) })
    about:extend(blocks(author.bio))
  end
  out:insert(pandoc.Div(about, pandoc.Attr('', { 'about-author' })))
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

return {
  { Pandoc = function (doc)
      doc.blocks:insert(1, front(doc.meta))
      doc.blocks:insert(back(doc.meta))
      return doc
    end },
}

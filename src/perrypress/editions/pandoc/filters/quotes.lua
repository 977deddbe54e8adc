--[[
quotes.lua — quotation marks in the paper's language.

Pandoc reads "…" and '…' in the sources as quotations (Quoted elements). The
HTML and DOCX writers print them with English marks; the Typst writer leaves
them to Typst, whose marks follow the document's language and region. This
filter prints every quotation with the marks of the paper's label table
(metadata `perry-labels.quotes`: open, close, inner-open, inner-close; from
src/perrypress/sources/languages/), so the three editions agree: in Spanish «…» for "…"
and “…” for '…' inside it. When the marks are pandoc's own English ones the
document is left exactly as it is.

Runs after citeproc, so the quotation marks a citation style adds follow the
paper's language too.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local utils = require 'pandoc.utils'

-- Quarto's error() only logs and lets the render go on (quarto-cli src/resources/filters/common/log.lua):
-- this one stops it, under pandoc and under Quarto (an object, so assert puts no position in front).
local function error (message)
  assert(false, setmetatable({}, { __tostring = function () return message end }))
end

-- The marks pandoc's writers print themselves: with these, nothing changes.
local ENGLISH = { open = '“', close = '”', ['inner-open'] = '‘', ['inner-close'] = '’' }

-- The paper's marks, or nil when they are pandoc's own (set by read_marks).
local marks = nil

local function read_marks (meta)
  local quotes = (meta['perry-labels'] or {}).quotes
  if quotes == nil then return nil end
  local found, differs = {}, false
  for key, english in pairs(ENGLISH) do
    if quotes[key] == nil then
      error('perry-labels.quotes.' .. key .. ' is missing — give all four marks in the label table')
    end
    found[key] = utils.stringify(quotes[key])
    if found[key] ~= english then differs = true end
  end
  if differs then marks = found end
  return nil
end

-- "…" with the outer marks, '…' with the inner ones (as Typst's smart quotes do).
local function quoted (el)
  if marks == nil then return nil end
  local open, close = marks.open, marks.close
  if el.quotetype == 'SingleQuote' then
    open, close = marks['inner-open'], marks['inner-close']
  end
  local out = pandoc.Inlines { pandoc.Str(open) }
  out:extend(el.content)
  out:insert(pandoc.Str(close))
  return out
end

return {
  { Meta = read_marks },
  { Quoted = quoted },
}

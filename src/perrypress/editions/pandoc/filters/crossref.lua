--[[
crossref.lua — Quarto's @fig-…/@tbl-… cross-references for plain pandoc.

Figures with an id "fig-…" and tables with an id "tbl-…" are numbered in the
order they appear. A citation whose keys are all such ids becomes a link that
reads "Figure 1" / "Table 2" (the words are the metadata `perry-labels.figure` and
`perry-labels.table`, in the paper's language: src/perrypress/sources/languages/). For HTML and DOCX the caption gets the prefix
"Figure 1: "; Typst numbers its figures itself, so for Typst the reference is
written as a native Typst reference (@fig-regions) and captions are untouched.

Must run before citeproc, which would otherwise read @fig-… as a citation.
A reference to an id that does not exist stops the build with error().

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local utils = require 'pandoc.utils'

-- The kinds of target; each one's name is read from the metadata `labels`.
local KINDS = {
  fig = { label = 'figure' },
  tbl = { label = 'table' },
}

local numbers = {}   -- id -> number
local kinds = {}     -- id -> kind prefix ("fig" / "tbl")

local function kind_of (id)
  local prefix = id:match '^(%a+)%-'
  return prefix and KINDS[prefix] and prefix or nil
end

local function label (id)
  return KINDS[kinds[id]].name .. '\u{a0}' .. numbers[id]
end

-- Each kind's name ("Figure", "Tabla") from the metadata labels perrypress gives pandoc.
local function read_names (meta)
  local labels = meta['perry-labels'] or {}
  for _, kind in pairs(KINDS) do
    if labels[kind.label] == nil then
      error(('metadata perry-labels.%s is missing — build with perrypress, which gives pandoc the labels of the paper\'s language')
        :format(kind.label), 0)
    end
    kind.name = utils.stringify(labels[kind.label])
  end
end

-- Pass 1: number every labelled figure and table, in document order.
local function collect (doc)
  read_names(doc.meta)
  local counters = { fig = 0, tbl = 0 }
  local function register (el)
    local kind = el.identifier ~= '' and kind_of(el.identifier)
    if kind and numbers[el.identifier] == nil then
      counters[kind] = counters[kind] + 1
      numbers[el.identifier], kinds[el.identifier] = counters[kind], kind
    end
  end
  doc:walk { Figure = register, Table = register }
end

-- Put "Figure 1: " in front of a caption (not for Typst, which numbers itself).
local function prefix_caption (el)
  if FORMAT:match 'typst' or not numbers[el.identifier] then return nil end
  local long = el.caption.long
  local first = long[1]
  local prefix = pandoc.Inlines { pandoc.Str(label(el.identifier) .. ':'), pandoc.Space() }
  if first and (first.t == 'Plain' or first.t == 'Para') then
    first.content = prefix .. first.content
  else
    long:insert(1, pandoc.Plain(prefix))
  end
  return el
end

local function is_crossref (cite)
  for _, c in ipairs(cite.citations) do
    if not kind_of(c.id) then return false end
  end
  return true
end

local function reference (cite)
  if not is_crossref(cite) then return nil end
  local out = pandoc.Inlines {}
  for i, c in ipairs(cite.citations) do
    if not numbers[c.id] then
      error(('@%s: no figure or table has this id — give the target {#%s} or correct the reference')
        :format(c.id, c.id), 0)
    end
    if i > 1 then out:extend { pandoc.Str ',', pandoc.Space() } end
    if FORMAT:match 'typst' then
      out:insert(pandoc.RawInline('typst', '@' .. c.id))
    else
      out:insert(pandoc.Link(label(c.id), '#' .. c.id))
    end
  end
  return out
end

return {
  { Pandoc = function (doc) collect(doc) end },
  { Figure = prefix_caption, Table = prefix_caption, Cite = reference },
}

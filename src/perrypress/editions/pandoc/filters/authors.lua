--[[
authors.lua — the paper's authors, read the same way under pandoc and under Quarto.

report.qmd lists its authors as Quarto documents them, under `author:` (or
`authors:`): each a `name` (or `given` and `family`) and the project's own
`bio`. Plain pandoc keeps that list as written. Quarto rewrites it before any
user filter runs: `author` becomes a list of plain names and the records move
to `authors`, the name under `name.literal` and every key Quarto's schema does
not have (`bio`) under `metadata` (quarto-cli src/command/render/pandoc.ts;
src/resources/filters/modules/authors.lua, processAuthor).

This filter sets the metadata `perry-authors`, a list of {name, bio}, from
whichever of the two it finds; the other filters and the templates read only
that. It runs first (pandoc/defaults/common.yaml; before `quarto` in
_quarto.yml, at Quarto's pre-quarto entry point, after its normalisation).

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local utils = require 'pandoc.utils'

-- A name: Inlines or a string as written; Quarto's {literal, given, family}; or given and family alone.
local function name_of (value)
  if value == nil then return nil end
  local kind = utils.type(value)
  if kind == 'Inlines' or kind == 'string' then return value end
  if kind == 'table' then
    if value.literal then return value.literal end
    local name = pandoc.Inlines {}
    if value.given then name:extend(utils.type(value.given) == 'Inlines' and value.given or { pandoc.Str(utils.stringify(value.given)) }) end
    if value.given and value.family then name:insert(pandoc.Space()) end
    if value.family then name:extend(utils.type(value.family) == 'Inlines' and value.family or { pandoc.Str(utils.stringify(value.family)) }) end
    return name
  end
  return pandoc.Inlines { pandoc.Str(utils.stringify(value)) }
end

-- One author: a plain name, or a record (pandoc's as written, or Quarto's normalised one).
local function record (entry)
  local kind = utils.type(entry)
  if kind == 'Inlines' or kind == 'string' then return pandoc.MetaMap { name = entry } end
  local name = entry.name
  if name == nil and (entry.given or entry.family) then name = { given = entry.given, family = entry.family } end
  local bio = entry.bio or (type(entry.metadata) == 'table' and entry.metadata.bio or nil)
  return pandoc.MetaMap { name = name_of(name), bio = bio }
end

function Meta (meta)
  -- Quarto's normalised records are under `authors` (its `author` is names only); pandoc's are as written.
  local source = meta.authors or meta.author
  if source == nil then return nil end
  if utils.type(source) ~= 'List' then source = pandoc.List { source } end
  local authors = pandoc.List {}
  for _, entry in ipairs(source) do authors:insert(record(entry)) end
  meta['perry-authors'] = pandoc.MetaList(authors)
  return meta
end

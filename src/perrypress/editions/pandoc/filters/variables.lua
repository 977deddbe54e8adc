--[[
variables.lua — Quarto's {{< var KEY >}} shortcode for plain pandoc.

Values come from `_variables.yml` in the project root, which the workflow
writes from the data files (as JSON, which is also YAML). A dotted KEY walks
nested mappings: {{< var survey.share.words >}}. A value is inserted
as plain text, never parsed as Markdown. The shortcode also works inside
attribute values (e.g. fig-alt="{{< var figures.regions.alt >}}").

Content inside a Div of class "generated" is left alone: a data cell that
reads "{{< var x >}}" is printed as it is.

An unknown key stops the build with error().

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1.1'

local path = require 'pandoc.path'

-- The project root and the inside-the-project check, shared by the filters (lib/project.lua).
local project = dofile(path.join { path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })
local SHORTCODE = '{{<%s*var%s+([^%s>]+)%s*>}}'

local variables = nil  -- loaded on first use

local function load ()
  local file = path.join { project.root, '_variables.yml' }
  local handle = io.open(file, 'r')
  if not handle then
    error(file .. ': not found — run the workflow, which writes it from data/ (rule "variables")', 0)
  end
  local text = handle:read 'a'
  handle:close()
  return pandoc.json.decode(text, false)
end

-- The value of a dotted key, as a string.
local function lookup (key)
  variables = variables or load()
  local node = variables
  for part in key:gmatch '[^.]+' do
    if type(node) ~= 'table' then node = nil; break end
    node = node[part]
  end
  if node == nil or type(node) == 'table' then
    error(('{{< var %s >}}: no such variable in _variables.yml — use a key the workflow writes (see data/README.md)')
      :format(key), 0)
  end
  return tostring(node)
end

local function substitute (text)
  return (text:gsub(SHORTCODE, lookup))
end

-- Merge the inlines between "{{<" and ">}}" into one Str with the value.
local function inlines (list)
  local out = pandoc.Inlines {}
  local i = 1
  while i <= #list do
    local el = list[i]
    if el.t == 'Str' and el.text:find('{{<', 1, true) then
      local text, j = el.text, i
      while not text:find('>}}', 1, true) and j < #list do
        j = j + 1
        local next_el = list[j]
        if next_el.t == 'Str' then text = text .. next_el.text
        elseif next_el.t == 'Space' or next_el.t == 'SoftBreak' then text = text .. ' '
        else j = j - 1; break end
      end
      if text:match(SHORTCODE) then
        out:insert(pandoc.Str(substitute(text)))
        i = j + 1
      else
        out:insert(el)
        i = i + 1
      end
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local function attributes (el)
  for k, v in pairs(el.attributes) do
    if v:find('{{<', 1, true) then el.attributes[k] = substitute(v) end
  end
  return el
end

return {
  { traverse = 'topdown',
    Div = function (div)
      if div.classes:includes 'generated' then return div, false end
      return attributes(div)
    end,
    Inlines = inlines,
    Image = attributes,
    Figure = attributes,
    Span = attributes,
    Link = attributes,
  },
}

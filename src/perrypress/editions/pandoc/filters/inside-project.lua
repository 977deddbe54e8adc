--[[
inside-project.lua — nothing outside the project is read, whatever names it.

Runs right after include.lua, on the whole document: before
conditional-content.lua, so what only one edition shows (a
`.content-visible when-format="html"` block) is checked in every edition.
Each image, photo and link, and every metadata value, goes through the
project's gate (lib/project.lua `refusal`, the rules of
src/perrypress/sources/paths.py): an image of any URL but data:, a file:
link, a path that climbs out with `..`, and an option (bibliography, csl,
css, template, …) naming a file outside the project or by an absolute path
stop the build with error(), naming the source file and line.

The perrypress build checks the same sources before pandoc runs (and
resolves symlinks there); this filter is the renderer's own guard, and also
sees what only pandoc's reader finds (reference-style images, say).

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local path = require 'pandoc.path'
local utils = require 'pandoc.utils'

-- The project root and the gate, shared by the filters (lib/project.lua).
local project = dofile(path.join { path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })

local WHAT = { source = 'image', link = 'link', option = 'metadata' }

local function check (target, kind, what)
  local reason = project.refusal(target, kind, '')
  if reason then
    error(('%s: %s "%s" %s — keep every source inside the project folder: copy the file in and refer to it there')
      :format(project.locate(target), what or WHAT[kind], target, reason), 0)
  end
end

-- Images, links and photos anywhere in `node` (blocks or inlines).
local elements = {
  Image = function (img) check(img.src, 'source') end,
  Link = function (link) check(link.target, 'link') end,
  Div = function (div)
    if div.classes:includes 'photo' and div.attributes.image then check(div.attributes.image, 'source', 'photo') end
  end,
}

-- A metadata string: a file under an option key; elsewhere a link when it is one word (prose may say "File: …").
local function check_string (text, option)
  if option then check(text, 'option') elseif not text:find '%s' then check(text, 'link', 'metadata') end
end

-- Every value of the metadata: under an option key (at any depth) each string names a file.
local function check_meta (value, option)
  local kind = pandoc.utils.type(value)
  if kind == 'Inlines' or kind == 'Blocks' then
    value:walk(elements)
    check_string(utils.stringify(value), option)
  elseif kind == 'string' or kind == 'boolean' or kind == 'number' then
    check_string(tostring(value), option)
  elseif kind == 'List' then
    for _, item in ipairs(value) do check_meta(item, option) end
  elseif type(value) == 'table' then
    for key, item in pairs(value) do check_meta(item, option or project.OPTION_KEYS[key] == true) end
  end
end

return {
  { Pandoc = function (doc)
      doc.blocks:walk(elements)
      for key, value in pairs(doc.meta) do check_meta(value, project.OPTION_KEYS[key] == true) end
    end },
}

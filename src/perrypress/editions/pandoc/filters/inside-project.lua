--[[
inside-project.lua — nothing outside the project is read, whatever names it,
and no script or styling of the source's own reaches an edition.

Runs right after include.lua, on the whole document: before
conditional-content.lua, so what only one edition shows (a
`.content-visible when-format="html"` block) is checked in every edition.
Each image, photo and link, and every metadata value, goes through the
project's gate (lib/project.lua `refusal`, the rules of
src/perrypress/sources/paths.py): an image of any URL but data:, a file:
link, a path that climbs out with `..`, and an option (bibliography, csl,
css, template, …) naming a file outside the project or by an absolute path
stop the build (project.stop), naming the source file and line. So do a
javascript:, vbscript: or non-image data: URL anywhere (links too), an
event handler (on…), style or srcdoc attribute on any element, a script
URL in an attribute (href, src, …), and raw HTML (which Quarto passes on)
that does any of these or is a <script>, <style>, <iframe>, … element.

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

local function stop (where, message, reason)
  project.stop(('%s: %s — %s'):format(where, message, project.fix(reason)))
end

local function check (target, kind, what)
  local reason = project.refusal(target, kind, '')
  if reason then stop(project.locate(target), ('%s "%s" %s'):format(what or WHAT[kind], target, reason), reason) end
end

-- The attributes of an element (any element that has them), as a Quarto {…} wrote them.
local function check_attributes (element)
  for name, value in pairs(element.attributes or (element.attr and element.attr.attributes) or {}) do
    local reason = project.attribute_refusal(name, value, '')
    if reason then stop(project.locate(name .. '='), reason, reason) end
  end
end

-- Raw HTML (Quarto reads it; the pandoc path prints it as text): each start tag and its attributes.
local function check_raw (raw)
  if not raw.format:match '^html' then return end
  for _, found in ipairs(project.html_tags(raw.text)) do
    local reason = project.element_refusal(found.tag)
    if reason then stop(project.locate(raw.text), reason, reason) end
    for _, attribute in ipairs(found.attributes) do
      reason = project.attribute_refusal(attribute[1], attribute[2], '')
      if reason then stop(project.locate(raw.text), ('raw HTML <%s>: %s'):format(found.tag, reason), reason) end
    end
  end
end

-- A table's attributes are on the table, its head, bodies, foot, rows and cells.
local function check_table (tbl)
  check_attributes(tbl)
  local parts = { tbl.head, tbl.foot }
  for _, body in ipairs(tbl.bodies) do parts[#parts + 1] = body end
  for _, part in ipairs(parts) do
    check_attributes(part)
    local rows = {}
    for _, row in ipairs(part.rows or {}) do rows[#rows + 1] = row end
    for _, row in ipairs(part.head or {}) do rows[#rows + 1] = row end
    for _, row in ipairs(part.body or {}) do rows[#rows + 1] = row end
    for _, row in ipairs(rows) do
      check_attributes(row)
      for _, cell in ipairs(row.cells) do check_attributes(cell) end
    end
  end
end

-- Images, links, photos, attributes and raw HTML anywhere in `node` (blocks or inlines).
local elements = {
  Image = function (img) check_attributes(img); check(img.src, 'source') end,
  Link = function (link) check_attributes(link); check(link.target, 'link') end,
  Div = function (div)
    check_attributes(div)
    if div.classes:includes 'photo' and div.attributes.image then check(div.attributes.image, 'source', 'photo') end
  end,
  Span = check_attributes,
  Header = check_attributes,
  Code = check_attributes,
  CodeBlock = check_attributes,
  Figure = check_attributes,
  Table = check_table,
  RawInline = check_raw,
  RawBlock = check_raw,
}

-- A metadata string: a file under an option key; elsewhere a link when it is one word (prose may say
-- "File: …") or when its key names an address (url, canonical-url…: a template may put it in an href).
local function check_string (text, option, url)
  if option then check(text, 'option') elseif url or not text:find '%s' then check(text, 'link', 'metadata') end
end

-- Every value of the metadata: under an option key (at any depth) each string names a file.
local function check_meta (value, option, url)
  local kind = pandoc.utils.type(value)
  if kind == 'Inlines' or kind == 'Blocks' then
    value:walk(elements)
    check_string(utils.stringify(value), option, url)
  elseif kind == 'string' or kind == 'boolean' or kind == 'number' then
    check_string(tostring(value), option, url)
  elseif kind == 'List' then
    for _, item in ipairs(value) do check_meta(item, option, url) end
  elseif type(value) == 'table' then
    for key, item in pairs(value) do
      check_meta(item, option or project.OPTION_KEYS[key] == true, project.url_key(key))
    end
  end
end

return {
  { Pandoc = function (doc)
      doc.blocks:walk(elements)
      for key, value in pairs(doc.meta) do check_meta(value, project.OPTION_KEYS[key] == true, project.url_key(key)) end
    end },
}

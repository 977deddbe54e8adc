--[[
project-paths.lua — Quarto's project-relative paths for images.

In the sources, "/figures/regions" means "figures/regions under the project
root", as in Quarto. Pandoc runs in the project root, so for HTML and DOCX
the leading "/" is dropped. Typst resolves a leading "/" against its root
(the project root) while the Typst file itself lives in _build/, so for Typst
every relative path is made root-absolute.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local function is_url (src)
  return src:match '^%a[%w+.-]*:' ~= nil
end

local path = require 'pandoc.path'

-- The project root and the inside-the-project check, shared by the filters (lib/project.lua).
local project = dofile(path.join { path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })

local function project_path (src)
  if is_url(src) then return src end
  local relative = src:gsub('^/+', '')
  if not project.inside(relative) then
    error(('image "%s" is outside the project folder — keep every source inside the project'):format(src), 0)
  end
  return FORMAT:match 'typst' and ('/' .. relative) or relative
end

return {
  { Image = function (img)
      img.src = project_path(img.src)
      return img
    end },
}

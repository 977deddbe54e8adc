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

local path = require 'pandoc.path'

-- The project root and the inside-the-project check, shared by the filters (lib/project.lua).
local project = dofile(path.join { path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })

local function project_path (src)
  local reason = project.refusal(src, 'source', '')
  if reason then
    error(('%s: image "%s" %s — keep every source inside the project'):format(project.locate(src), src, reason), 0)
  end
  if src:match '^data:' then return src end
  local relative = src:gsub('^/+', '')
  return FORMAT:match 'typst' and ('/' .. relative) or relative
end

return {
  { Image = function (img)
      img.src = project_path(img.src)
      return img
    end },
}

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

-- False when `relative` climbs out of the project root with "..".
local function inside_project (relative)
  local depth = 0
  for _, part in ipairs(path.split(relative)) do
    if part == '..' then depth = depth - 1 elseif part ~= '.' and part ~= '' then depth = depth + 1 end
    if depth < 0 then return false end
  end
  return true
end

local function project_path (src)
  if is_url(src) then return src end
  local relative = src:gsub('^/+', '')
  if not inside_project(relative) then
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

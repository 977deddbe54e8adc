--[[
project.lua — where the project is, for the project's filters. A module, not a
filter: each filter loads it from beside itself,

    local project = dofile(pandoc.path.join {
      pandoc.path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })

which works under pandoc and under Quarto, whose filter loader gives each user
filter its own PANDOC_SCRIPT_FILE (quarto-cli
src/resources/filters/common/wrapped-filter.lua, makeWrappedLuaFilter).

  project.root            the project root
  project.inside(file)    whether `file` stays inside it

Licence: MIT.
]]

local path = require 'pandoc.path'

-- The project root as Quarto documents it for filters (quarto.project.directory,
-- or the QUARTO_PROJECT_DIR environment variable): under `quarto render` the
-- input file is a temporary copy outside the project. Plain pandoc runs on
-- report.qmd in the project root, so there it is the first input file's folder.
local function find_root ()
  local quarto_api = rawget(_G, 'quarto')
  local directory = quarto_api and type(quarto_api.project) == 'table' and quarto_api.project.directory
  if type(directory) == 'string' and directory ~= '' then return directory end
  local env = os.getenv 'QUARTO_PROJECT_DIR'
  if env and env ~= '' then return env end
  return path.directory(PANDOC_STATE.input_files[1] or '.')
end

local root = find_root()

-- True when `file` — relative to the project root (where pandoc runs), or an
-- absolute path under it (Quarto's root is absolute) — stays inside the root.
-- Lexical only; src/perrypress/sources/paths.py also resolves symlinks before every build.
local function inside (file)
  local prefix = root .. path.separator
  if path.is_absolute(root) and file:sub(1, #prefix) == prefix then file = file:sub(#prefix + 1) end
  if path.is_absolute(file) then return false end
  local depth = 0
  for _, part in ipairs(path.split(file)) do
    if part == '..' then depth = depth - 1 elseif part ~= '.' and part ~= '' then depth = depth + 1 end
    if depth < 0 then return false end
  end
  return true
end

return { root = root, inside = inside }

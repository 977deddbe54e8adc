--[[
project.lua — where the project is, for the project's filters. A module, not a
filter: each filter loads it from beside itself,

    local project = dofile(pandoc.path.join {
      pandoc.path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })

which works under pandoc and under Quarto, whose filter loader gives each user
filter its own PANDOC_SCRIPT_FILE (quarto-cli
src/resources/filters/common/wrapped-filter.lua, makeWrappedLuaFilter).

  project.root                        the project root
  project.inside(file)                whether `file` stays inside it
  project.folder(file)                its folder, relative to the root
  project.refusal(target, kind, base) why `target` may not be read, or nil
  project.OPTION_KEYS                 the metadata keys that name files
  project.locate(needle)              "file:line" of `needle` in the sources

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

-- The folder of `file` relative to the root ('' for the root itself), for refusal's `base`.
local function folder (file)
  local directory = path.directory(path.normalize(file))
  local prefix = root .. path.separator
  if path.is_absolute(root) and directory:sub(1, #prefix) == prefix then directory = directory:sub(#prefix + 1) end
  if directory == root or directory == '.' or path.is_absolute(directory) then return '' end
  return (directory:gsub('^%./', ''))
end

-- The gate, as src/perrypress/sources/paths.py `refusal` (same rules, same words; a test runs
-- both on one catalogue). `kind` is 'source' (an image, photo or include: a leading "/" is the
-- project root, else relative to the project folder `base`), 'option' (a file a metadata option
-- names: read as written, so absolute paths are refused too) or 'link' (never read: only file:).
local function refusal_of (text, kind, base)
  text = text:gsub('\\', '/')
  if text:find('\0', 1, true) then return 'contains a NUL character' end
  local scheme = text:match '^(%a[%w+.-]*):'
  if scheme then
    scheme = scheme:lower()
    if scheme == 'file' then return 'is a file: URL, a file on the build machine' end
    if kind == 'link' or scheme == 'data' then return nil end
    if #scheme == 1 then return 'is an absolute (Windows drive) path outside the project folder' end
    if scheme == 'http' or scheme == 'https' then
      return "is a remote file: a build is offline and reads only the project's files"
    end
    return ('is a %s: URL, not a file in the project'):format(scheme)
  end
  if kind == 'link' then return nil end
  if text:sub(1, 1) == '~' then return 'names a home folder outside the project folder' end
  if text:sub(1, 1) == '/' then
    if kind == 'option' then return 'is an absolute path: name it relative to the project folder' end
    text = text:gsub('^/+', '')
  else
    text = (base or '') .. '/' .. text
  end
  local depth = 0
  for part in text:gmatch '[^/]+' do
    if part == '..' then
      depth = depth - 1
      if depth < 0 then return 'resolves outside the project folder' end
    elseif part ~= '.' then
      depth = depth + 1
    end
  end
  return nil
end

local function refusal (target, kind, base)
  target = tostring(target):match '^%s*(.-)%s*$'
  local decoded = target:gsub('%%(%x%x)', function (hex) return string.char(tonumber(hex, 16)) end)
  return refusal_of(target, kind, base) or (decoded ~= target and refusal_of(decoded, kind, base) or nil)
end

-- The metadata keys whose values name files (sources/paths.py OPTION_KEYS; a test compares them).
local OPTION_KEYS = {}
for key in ([[
  abbreviations bibliography brand citation-abbreviations cover-image csl css
  data-dir dialect epub-cover-image epub-fonts epub-metadata extract-media favicon
  filters font-paths format-resources header-includes-file highlight-style html-math-method
  image include-after-body include-before-body include-in-header katex logo lua-filter
  mathjax metadata-file metadata-files pdf-engine reference-doc resource-path resources
  revealjs-url shortcodes syntax-definition syntax-definitions template template-partials
  webtex
]]):gmatch '%S+' do OPTION_KEYS[key] = true end

local function read (file)
  local handle = io.open(file, 'r')
  if not handle then return nil end
  local text = handle:read 'a'
  handle:close()
  return text
end

-- "file:line" of the first occurrence of `needle` in the first input file or a file it
-- includes (depth first, inside the project only), or the input file's name.
local function locate (needle)
  local first = PANDOC_STATE.input_files[1] or 'stdin'
  local seen = {}
  local function search (file, depth)
    if seen[file] or depth > 16 then return nil end
    seen[file] = true
    local text = read(file)
    if not text then return nil end
    local start = text:find(needle, 1, true)
    if start then
      local _, newlines = text:sub(1, start):gsub('\n', '')
      return ('%s:%d'):format(file:gsub('^%./', ''), newlines + 1)
    end
    for target in text:gmatch '{{<%s*include%s+(%S+)%s*>}}' do
      local included = target:sub(1, 1) == '/' and path.join { root, target:sub(2) }
        or path.join { path.directory(file), target }
      if inside(included) then
        local found = search(included, depth + 1)
        if found then return found end
      end
    end
    return nil
  end
  return search(first, 0) or first
end

return { root = root, inside = inside, folder = folder, refusal = refusal, OPTION_KEYS = OPTION_KEYS, locate = locate }

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
  project.attribute_refusal(name, value, base)  why an element may not carry that attribute, or nil
  project.element_refusal(tag)        why a raw HTML element may not be written, or nil
  project.html_tags(text)             the start tags of raw HTML: { {tag=…, attributes={{name, value}, …}}, … }
  project.fix(reason)                 how to fix what one of the refusals refused
  project.OPTION_KEYS                 the metadata keys that name files
  project.url_key(key)                whether a metadata key names an address (url, canonical-url, href…)
  project.locate(needle)              "file:line" of `needle` in the sources
  project.stop(message)               stop the render with `message`, under pandoc and under Quarto

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

-- Script and styling (paths.py, same words). A browser drops tabs and newlines anywhere in a URL, and
-- spaces and control characters around it, before it reads the scheme: all are dropped here.
local RUNS_SCRIPT = "runs script in the reader's browser"
local HANDLER = 'is an event handler, which ' .. RUNS_SCRIPT
local SRCDOC = 'is a page of its own, which ' .. RUNS_SCRIPT
local DATA_URL = 'is a data: URL that is neither an image nor a plain-text download'
-- What a data: URL may hold besides an image: plain-text downloads (paths.py DATA_KINDS; the cite block's).
local DATA_KINDS = { ['text/plain'] = true, ['text/csv'] = true, ['application/x-bibtex'] = true,
                     ['application/x-research-info-systems'] = true }
local STYLE = "sets the page's look from the text"
local ELEMENT = 'can run script or change the page around the text'
local FIX = 'keep every source inside the project folder: copy the file in and refer to it there'
local FIXES = {
  { ELEMENT, "remove it: write the paper in Markdown; the editions' layout and script live in the templates" },
  { HANDLER, 'remove the attribute: a source carries no script' },
  { SRCDOC, 'remove the attribute: a source carries no script' },
  { RUNS_SCRIPT, 'link to a web page (https://…) or to a part of the paper (#id) instead: a source carries no script' },
  { DATA_URL, 'link to a web page (https://…) instead: only an image (data:image/…) or a plain-text download '
      .. '(text/plain, text/csv, BibTeX, RIS) may be written as a data: URL' },
  { STYLE, "use a class the house stylesheet defines (src/perrypress/editions/pandoc/html/perry.css), "
      .. "or ask for one: the editions' look lives in the templates" },
}

local function fix (reason)
  for _, pair in ipairs(FIXES) do
    if reason:sub(-#pair[1]) == pair[1] then return pair[2] end
  end
  return FIX
end

local function script_refusal (text)
  local squeezed = text:gsub('[\0-\32\127]', '')
  local scheme = squeezed:match '^(%a[%w+.-]*):'
  if not scheme then return nil end
  scheme = scheme:lower()
  if scheme == 'javascript' or scheme == 'vbscript' then
    return ('is a %s: URL, which %s'):format(scheme, RUNS_SCRIPT)
  end
  if scheme == 'data' then
    local kind = squeezed:sub(6):lower():match '^[^;,]*'
    if kind:sub(1, 6) ~= 'image/' and not DATA_KINDS[kind] then return DATA_URL end
  end
  return nil
end

-- The gate, as src/perrypress/sources/paths.py `refusal` (same rules, same words; a test runs
-- both on one catalogue). `kind` is 'source' (an image, photo or include: a leading "/" is the
-- project root, else relative to the project folder `base`), 'option' (a file a metadata option
-- names: read as written, so absolute paths are refused too) or 'link' (never read: only file:,
-- and, as for every kind, a URL that runs script).
local function refusal_of (text, kind, base)
  text = text:gsub('\\', '/')
  if text:find('\0', 1, true) then return 'contains a NUL character' end
  local script = script_refusal(text)
  if script then return script end
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

-- Named character references a scheme can be spelt with (ASCII punctuation and white space); numeric
-- ones are all decoded, with or without the ";". Python's html.unescape knows every name: a name
-- missing here spells no letter of a scheme.
local NAMED = {
  Tab = '\t', NewLine = '\n', nbsp = '\u{A0}', excl = '!', quot = '"', QUOT = '"', num = '#', dollar = '$',
  percnt = '%', amp = '&', AMP = '&', apos = "'", lpar = '(', rpar = ')', ast = '*', midast = '*', plus = '+',
  comma = ',', period = '.', sol = '/', colon = ':', semi = ';', lt = '<', LT = '<', equals = '=', gt = '>',
  GT = '>', quest = '?', commat = '@', lsqb = '[', lbrack = '[', bsol = '\\', rsqb = ']', rbrack = ']',
  Hat = '^', lowbar = '_', UnderBar = '_', grave = '`', DiacriticalGrave = '`', lcub = '{', lbrace = '{',
  verbar = '|', vert = '|', VerticalLine = '|', rcub = '}', rbrace = '}',
}

local function codepoint (code)
  if code == 0 or code > 0x10FFFF or (code >= 0xD800 and code <= 0xDFFF) then return '\u{FFFD}' end
  return utf8.char(code)
end

-- `text` with its character references decoded, once, as a browser reads an attribute.
local function entities (text)
  local out, at = {}, 1
  while true do
    local amp = text:find('&', at, true)
    if not amp then break end
    out[#out + 1] = text:sub(at, amp - 1)
    local digits, after = text:match('^&#[xX](%x+)()', amp)
    local code = digits and tonumber(digits, 16)
    if not code then
      digits, after = text:match('^&#(%d+)()', amp)
      code = digits and tonumber(digits)
    end
    local name, named_after = text:match('^&(%a%w*)();', amp)
    if code then
      out[#out + 1] = codepoint(code)
      at = text:sub(after, after) == ';' and after + 1 or after
    elseif name and NAMED[name] then
      out[#out + 1] = NAMED[name]
      at = named_after + 1
    else
      out[#out + 1] = '&'
      at = amp + 1
    end
  end
  out[#out + 1] = text:sub(at)
  return table.concat(out)
end

local function percent (text)
  return (text:gsub('%%(%x%x)', function (hex) return string.char(tonumber(hex, 16)) end))
end

-- As written, percent-decoded, entity-decoded, and both (paths.py `_spellings`): any refusing refuses.
local function refusal (target, kind, base)
  target = tostring(target):match '^%s*(.-)%s*$'
  local decoded = entities(target)
  local seen = {}
  for _, text in ipairs { target, percent(target), decoded, percent(decoded) } do
    if not seen[text] then
      seen[text] = true
      local reason = refusal_of(text, kind, base)
      if reason then return reason end
    end
  end
  return nil
end

-- Attributes a browser (or --embed-resources) loads, checked as images; those it follows, as links.
local LOADED = {}
for key in ('background data dynsrc lowsrc poster src srcset'):gmatch '%S+' do LOADED[key] = true end
local FOLLOWED = {}
for key in ('action archive cite classid codebase formaction href icon longdesc manifest ping profile usemap')
    :gmatch '%S+' do FOLLOWED[key] = true end

-- Why an element may not carry attribute `name` = `value` (paths.py attribute_refusal).
local function attribute_refusal (name, value, base)
  local key = name:lower()
  if key:sub(1, 2) == 'on' then return ('attribute %s %s'):format(name, HANDLER) end
  if key == 'style' then return ('attribute %s %s'):format(name, STYLE) end
  if key == 'srcdoc' then return ('attribute %s %s'):format(name, SRCDOC) end
  local kind = LOADED[key] and 'source' or (FOLLOWED[key] or key:sub(-5) == ':href') and 'link' or nil
  if kind then
    local urls = { value }
    if key == 'srcset' then
      urls = {}
      for part in (value .. ','):gmatch '([^,]*),' do urls[#urls + 1] = part:match '^%s*(%S*)' end
    end
    for _, url in ipairs(urls) do
      local reason = refusal(url, kind, base)
      if reason then return ('attribute %s %s'):format(name, reason) end
    end
  end
  return nil
end

-- Raw HTML elements that run script, hold another document, or restyle or redirect the page (paths.py ELEMENTS).
local ELEMENTS = {}
for tag in ([[
  animate animatemotion animatetransform applet base embed fencedframe frame frameset handler iframe link
  listener meta object portal script set style
]]):gmatch '%S+' do ELEMENTS[tag] = true end

local function element_refusal (tag)
  if ELEMENTS[tag:lower()] then return ('raw HTML element <%s> %s'):format(tag, ELEMENT) end
  return nil
end

-- The start tags of raw HTML, read as a browser's tokenizer reads them (names in lower case, values
-- entity-decoded); comments skipped.
local function html_tags (text)
  local tags, at = {}, 1
  while true do
    local open = text:find('<', at, true)
    if not open then break end
    if text:sub(open, open + 3) == '<!--' then
      local close = text:find('-->', open + 4, true)
      at = close and close + 3 or #text + 1
    else
      local tag, after = text:match('^<(%a[^%s/>\0]*)()', open)
      at = open + 1
      if tag then
        local attributes = {}
        at = after
        while true do
          at = text:match('^[%s/]*()', at)
          if at > #text or text:sub(at, at) == '>' then at = at + 1; break end
          local name, after_name = text:match('^([^%s/>][^%s/>=]*)()', at)
          at = text:match('^%s*()', after_name)
          local value = ''
          if text:sub(at, at) == '=' then
            at = text:match('^%s*()', at + 1)
            local quote = text:sub(at, at)
            if quote == '"' or quote == "'" then
              local close = text:find(quote, at + 1, true) or #text + 1
              value, at = text:sub(at + 1, close - 1), close + 1
            else
              value, at = text:match('^([^%s>]*)()', at)
            end
          end
          attributes[#attributes + 1] = { name:lower(), entities(value) }
        end
        tags[#tags + 1] = { tag = tag:lower(), attributes = attributes }
      end
    end
  end
  return tags
end

-- A metadata key whose value is an address (paths.py URL_KEY): a template may put it in an href.
local function url_key (key)
  key = tostring(key):lower()
  for _, ending in ipairs { 'url', 'uri', 'href', 'link', 'src', 'homepage', 'website' } do
    if key:sub(-#ending) == ending or key:sub(-#ending - 1) == ending .. 's' then return true end
  end
  return false
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

-- Stop the render with `message`. Quarto replaces the global error() with one that only logs and lets the
-- render go on (quarto-cli src/resources/filters/common/log.lua); assert() raises under both. Its message
-- is an object that prints as `message`: a string would get assert's "project.lua:N:" in front.
local function stop (message)
  assert(false, setmetatable({}, { __tostring = function () return message end }))
end

return {
  root = root, inside = inside, folder = folder, refusal = refusal, OPTION_KEYS = OPTION_KEYS, locate = locate,
  attribute_refusal = attribute_refusal, element_refusal = element_refusal, html_tags = html_tags, fix = fix,
  url_key = url_key, stop = stop,
}

--[[
include.lua — Quarto's {{< include FILE >}} shortcode for plain pandoc.

A paragraph that holds nothing but the shortcode is replaced by the blocks of
FILE, read as pandoc Markdown with the same reader options. As in Quarto, a
path that starts with "/" is relative to the project root (Quarto's project
directory, else the folder of the first input file); any other path is relative to the including file. Included
files may include others. Content inside a Div of class "generated" (tables
written from data) is never searched: data is text, not markup.

A missing file stops the build with error(), naming the including file and line.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local path = require 'pandoc.path'
local utils = require 'pandoc.utils'

-- The project root and the inside-the-project check, shared by the filters (lib/project.lua).
local project = dofile(path.join { path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })
local MAX_DEPTH = 16

-- The included path when `para` is exactly one include shortcode, else nil.
local function include_target (para)
  local text = utils.stringify(para)
  return text:match '^{{<%s*include%s+(.-)%s*>}}$'
end

-- Line (1-based) of the first occurrence of `needle` in file `file`, or '?'.
local function line_of (file, needle)
  local handle = io.open(file, 'r')
  if not handle then return '?' end
  local text = handle:read 'a'
  handle:close()
  local start = text:find(needle, 1, true)
  if not start then return '?' end
  local _, newlines = text:sub(1, start):gsub('\n', '')
  return newlines + 1
end

local function resolve (target, including_file)
  if target:sub(1, 1) == '/' then
    return path.join { project.root, target:sub(2) }
  end
  return path.join { path.directory(including_file), target }
end

local expand

local function read_blocks (file, including_file, target, depth)
  if depth > MAX_DEPTH then
    error(('%s:%s: includes nest deeper than %d — look for a file that includes itself')
      :format(including_file, line_of(including_file, target), MAX_DEPTH), 0)
  end
  -- The gate (lib/project.lua), from the including file's folder; and the joined path must stay inside.
  local reason = project.refusal(target, 'source', project.folder(including_file))
  if not reason and not project.inside(file) then reason = 'resolves outside the project folder' end
  if reason then
    error(('%s:%s: included file "%s" %s — keep every source inside the project folder')
      :format(including_file:gsub('^%./', ''), line_of(including_file, target), target, reason), 0)
  end
  local handle = io.open(file, 'r')
  if not handle then
    error(('%s:%s: included file "%s" not found — create it, correct the path, or build the workflow target that makes it')
      :format(including_file, line_of(including_file, target), target), 0)
  end
  local text = handle:read 'a'
  handle:close()
  -- Read with the main document's Markdown extensions (e.g. raw HTML switched off).
  local format = { format = 'markdown', extensions = PANDOC_READER_OPTIONS.extensions }
  local doc = pandoc.read(text, format, PANDOC_READER_OPTIONS)
  return expand(doc.blocks, file, depth + 1)
end

-- Replace include paragraphs in `blocks`, which come from `file`.
expand = function (blocks, file, depth)
  return blocks:walk {
    traverse = 'topdown',
    Div = function (div)
      if div.classes:includes 'generated' then return div, false end
    end,
    Para = function (para)
      local target = include_target(para)
      if target then
        return read_blocks(resolve(target, file), file, target, depth), false
      end
    end,
  }
end

return {
  { Pandoc = function (doc)
      doc.blocks = expand(doc.blocks, PANDOC_STATE.input_files[1] or 'stdin', 0)
      return doc
    end },
}

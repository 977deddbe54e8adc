--[[
photo.lua — photo blocks: an image, its caption and a credit line.

    ::: {.photo image="/images/x.jpg" alt="What the photo shows"}
    Photo concept: the caption.

    ::: credit
    Credit: who took it.
    :::
    :::

Photos are not numbered figures. For HTML the block becomes an unnumbered
figure (image, caption, credit); for Typst it calls the template's `photo()`
function; for DOCX it becomes three paragraphs in the reference document's
styles "Photo" (or "Photo Placeholder"), "Photo Caption" and "Photo Credit",
which keep with the next so image, caption and credit share a page. When the
image file does not exist, a draft build (metadata build-mode: draft) draws a
placeholder reading "Photograph to come" (metadata `perry-labels.photo-placeholder`,
in the paper's language: src/perrypress/sources/languages/) and logs a warning naming the file
(the log, never an edition, shows the path); a release build stops
(project.stop).

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local path = require 'pandoc.path'
local utils = require 'pandoc.utils'

-- The project root and the inside-the-project check, shared by the filters (lib/project.lua).
local project = dofile(path.join { path.directory(PANDOC_SCRIPT_FILE), 'lib', 'project.lua' })
-- What a missing photograph's placeholder says (as the PDF's, perry.typ's photo()): set from the metadata.
local PLACEHOLDER = pandoc.Inlines {}
local release = false

local function exists (file)
  local handle = io.open(file, 'r')
  if handle then handle:close() end
  return handle ~= nil
end

local function typst_string (text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

-- Split the div's content into caption blocks and credit blocks.
local function parts (div)
  local caption, credit = pandoc.Blocks {}, pandoc.Blocks {}
  for _, block in ipairs(div.content) do
    if block.t == 'Div' and block.classes:includes 'credit' then
      credit:extend(block.content)
    else
      caption:insert(block)
    end
  end
  return caption, credit
end

local function photo (div)
  if not div.classes:includes 'photo' then return nil end
  local src = div.attributes.image or ''
  local alt = div.attributes.alt or ''
  local reason = project.refusal(src, 'source', '')
  if reason then
    project.stop(('%s: photo "%s" %s — keep every source inside the project'):format(project.locate(src), src, reason))
  end
  local file = path.join { project.root, (src:gsub('^/+', '')) }
  local missing = src == '' or not exists(file)
  if missing then
    local message = ('photo "%s": image file not found (%s)'):format(src, file)
    if release then
      project.stop(message .. ' — add the image, or build in draft mode to use a placeholder')
    end
    pandoc.log.warn(message .. ': a placeholder is drawn in its place')
  end
  local caption, credit = parts(div)

  if FORMAT:match 'typst' then
    local args = ('src: %s, alt: %s'):format(missing and 'none' or typst_string('/' .. src:gsub('^/+', '')),
                                              typst_string(alt))
    local out = pandoc.Blocks { pandoc.RawBlock('typst', '#photo(' .. args .. ')[') }
    out:extend(caption)
    out:insert(pandoc.RawBlock('typst', '][') )
    out:extend(credit)
    out:insert(pandoc.RawBlock('typst', ']'))
    return out
  end

  local image = not missing and pandoc.Image(alt, (src:gsub('^/+', '')), '', pandoc.Attr('', {}, { alt = alt }))

  if FORMAT:match 'docx' then
    local function styled (blocks, style)
      return pandoc.Div(blocks, pandoc.Attr('', {}, { { 'custom-style', style } }))
    end
    return pandoc.Blocks {
      missing and styled({ pandoc.Para(PLACEHOLDER) }, 'Photo Placeholder') or styled({ pandoc.Para { image } }, 'Photo'),
      styled(caption, 'Photo Caption'),
      styled(credit, 'Photo Credit'),
    }
  end

  local body
  if missing then
    body = pandoc.Div(pandoc.Para(PLACEHOLDER),
                      pandoc.Attr('', { 'photo-placeholder' }, { { 'role', 'img' }, { 'aria-label', alt } }))
  else
    body = pandoc.Plain { image }
  end
  local captions = pandoc.Blocks {}
  captions:extend(caption)
  captions:insert(pandoc.Div(credit, pandoc.Attr('', { 'photo-credit' })))
  return pandoc.Figure(body, { long = captions }, pandoc.Attr('', { 'photo' }))
end

return {
  { Meta = function (meta)
      release = utils.stringify(meta['build-mode'] or '') == 'release'
      local text = (meta['perry-labels'] or {})['photo-placeholder']
      if text == nil then
        project.stop('metadata perry-labels.photo-placeholder is missing — build with perrypress, which gives pandoc the labels of the paper\'s language')
      end
      PLACEHOLDER = pandoc.Inlines(utils.stringify(text))
    end },
  { Div = photo },
}

--[[
typst-alt-text.lua — keep image alt text in the Typst (PDF) edition.

Pandoc's Typst writer drops alt text, and PDF/UA needs it. A figure whose
image has `fig-alt` (Quarto) or `alt` is written as a native Typst figure with
image(..., alt: "..."); its caption stays pandoc content, so notes and
citations inside it still work. The figure keeps its label for @references.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

if not FORMAT:match 'typst' then return {} end

local function typst_string (text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local function alt_of (figure, image)
  return figure.attributes['fig-alt'] or image.attributes['fig-alt'] or image.attributes.alt
end

return {
  { Figure = function (figure)
      local image
      figure:walk { Image = function (img) image = image or img end }
      if not image then return nil end
      local alt = alt_of(figure, image)
      if not alt or alt == '' then
        error(('figure %s: no alt text — add fig-alt="…" describing what it shows'):format(figure.identifier), 0)
      end
      local out = pandoc.Blocks {
        pandoc.RawBlock('typst', ('#figure(image(%s, alt: %s, width: 100%%), caption: ['):format(
          typst_string(image.src), typst_string(alt))),
      }
      out:extend(figure.caption.long)
      local label = figure.identifier ~= '' and (' <' .. figure.identifier .. '>') or ''
      out:insert(pandoc.RawBlock('typst', '])' .. label))
      return out
    end },
}

--[[
alt-text.lua — carry a figure's alt text (Quarto's `fig-alt`) into every edition.

Pandoc reads `fig-alt` as an ordinary attribute and writes none of it:
HTML gets the caption as its label, DOCX the caption as its description,
and the Typst writer drops alt text altogether, which PDF/UA forbids.

  HTML, DOCX: the image gets `alt` and the alt text as its description.
  Typst:      the figure is written as a native Typst figure with
              image(..., alt: "..."); its caption stays pandoc content, so
              notes and citations inside it still work, and it keeps its label.

A figure without alt text stops the PDF build with error().

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local function typst_string (text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local function first_image (figure)
  local image
  figure:walk { Image = function (img) image = image or img end }
  return image
end

local function alt_of (figure, image)
  return figure.attributes['fig-alt'] or image.attributes['fig-alt'] or image.attributes.alt
end

local function typst_figure (figure, image, alt)
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
end

return {
  { Figure = function (figure)
      local image = first_image(figure)
      if not image then return nil end
      local alt = alt_of(figure, image)
      if FORMAT:match 'typst' then return typst_figure(figure, image, alt) end
      if not alt then return nil end
      figure = figure:walk { Image = function (img)
        img.attributes['fig-alt'] = nil
        img.attributes.alt = alt
        img.caption = pandoc.Inlines { pandoc.Str(alt) }
        return img
      end }
      figure.attributes['fig-alt'] = nil
      return figure
    end },
}

--[[
alt-text.lua — carry a figure's alt text (Quarto's `fig-alt`) into every edition.

Pandoc reads `fig-alt` as an ordinary attribute and writes none of it:
HTML gets the caption as its label, DOCX the caption as its description,
and the Typst writer drops alt text altogether, which PDF/UA forbids.

  HTML, DOCX: the image gets `alt` and the alt text as its description.
  Typst:      the figure is written as a native Typst figure with
              image(..., alt: "...") and its label, inside the template's
              figure-below(figure, caption): Typst tags a figure's own caption
              before the figure whatever its position, so the caption is
              passed separately and set (and read) after the image. It stays
              pandoc content, so notes and citations inside it still work.

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
  local label = figure.identifier ~= '' and (' <' .. figure.identifier .. '>') or ''
  local out = pandoc.Blocks {
    pandoc.RawBlock('typst', ('#figure-below[#figure(image(%s, alt: %s, width: 100%%))%s][')
      :format(typst_string(image.src), typst_string(alt), label)),
  }
  out:extend(figure.caption.long)
  out:insert(pandoc.RawBlock('typst', ']'))
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

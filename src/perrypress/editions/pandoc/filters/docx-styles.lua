--[[
docx-styles.lua — give styled Divs a named Word paragraph style in the DOCX edition.

The HTML edition styles a table's notes and source line by their Div classes
and the PDF by template functions (typst-blocks.lua); Word needs a paragraph
style, which pandoc applies from a Div's `custom-style` attribute:

    ::: table-notes        →   paragraphs in the style "Table Note"

The styles themselves are defined in the reference document
(src/perrypress/editions/reference_docx.py). Other formats are left alone.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

if not FORMAT:match 'docx' then return {} end

-- Div classes and the Word paragraph style their paragraphs take.
local STYLES = { ['table-notes'] = 'Table Note', ['table-source'] = 'Table Source' }

return {
  { Div = function (div)
      for class, style in pairs(STYLES) do
        if div.classes:includes(class) then
          div.attributes['custom-style'] = style
          return div
        end
      end
    end },
}

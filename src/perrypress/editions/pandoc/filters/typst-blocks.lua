--[[
typst-blocks.lua — give styled Divs to the Typst template's layout functions.

Pandoc's Typst writer turns every Div into a plain #block and drops its
classes, so the template cannot style a table's notes or source line. For
the classes listed below, this filter wraps the Div's content in a call to
the template function of the same name, e.g.

    ::: table-notes        →   #table-notes[ … ]

The template (pandoc/templates/perry.typ) defines each function. Other
formats are left alone: their stylesheets see the classes.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

if not FORMAT:match 'typst' then return {} end

-- Div classes that have a layout function in the Typst template.
local STYLED = { 'table-notes', 'table-source' }

return {
  { Div = function (div)
      for _, class in ipairs(STYLED) do
        if div.classes:includes(class) then
          local out = pandoc.Blocks { pandoc.RawBlock('typst', '#' .. class .. '[') }
          out:extend(div.content)
          out:insert(pandoc.RawBlock('typst', ']'))
          return out
        end
      end
    end },
}

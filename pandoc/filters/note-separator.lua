--[[
note-separator.lua — a comma between adjacent note markers.

Two notes in a row ("…2009–2020/1¹⁹ ²⁰") otherwise print as one number
("¹⁹²⁰"). This puts a superscript comma between them, in every edition.
Runs after citeproc, when citations have become notes.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

return {
  { Inlines = function (inlines)
      local out = pandoc.Inlines {}
      for i, el in ipairs(inlines) do
        out:insert(el)
        local next_el = inlines[i + 1]
        if el.t == 'Note' and next_el and next_el.t == 'Note' then
          out:insert(pandoc.Superscript { pandoc.Str ',' })
        end
      end
      return out
    end },
}

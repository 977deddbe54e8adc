--[[
note-separator.lua — a comma between adjacent note markers.

Two notes in a row ("…2009–2020/1¹⁹ ²⁰") otherwise print as one number
("¹⁹²⁰"). This puts a superscript comma between them, in every edition.
Runs after citeproc, when citations have become notes.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

-- A note, or a citation that citeproc has turned into one (Cite holding a Note).
local function is_note (el)
  if el == nil then return false end
  if el.t == 'Note' then return true end
  return el.t == 'Cite' and #el.content == 1 and el.content[1].t == 'Note'
end

return {
  { Inlines = function (inlines)
      local out = pandoc.Inlines {}
      for i, el in ipairs(inlines) do
        out:insert(el)
        if is_note(el) and is_note(inlines[i + 1]) then
          out:insert(pandoc.Superscript { pandoc.Str ',' })
        end
      end
      return out
    end },
}

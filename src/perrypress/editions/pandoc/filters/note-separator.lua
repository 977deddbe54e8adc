--[[
note-separator.lua — a comma between adjacent note markers.

Two notes in a row ("…2009–2020/1¹⁹ ²⁰") otherwise print as one number
("¹⁹²⁰"). This puts a superscript comma between them, in every edition.

Under pandoc it runs after citeproc, when citations have become notes (a Cite
holding a Note). Under Quarto the PDF's citeproc runs after every filter
(quarto-cli src/command/render/filters.ts, resolveFilters), so there it runs
before, and a citation outside a note counts as the note it will become: the
series' styles are note styles, the rule note-numbers.lua numbers notes by. (In
Quarto's HTML and DOCX, front-back-matter.lua has already run citeproc: every
citation outside a note is a Cite holding a Note, which counts the same.)

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

-- Quarto's Lua module is present: citeproc may not have run yet (see above).
local before_citeproc = quarto ~= nil

-- A note, or a citation that citeproc has turned (or will turn) into one.
local function is_note (el)
  if el == nil then return false end
  if el.t == 'Note' then return true end
  if el.t ~= 'Cite' then return false end
  return before_citeproc or (#el.content == 1 and el.content[1].t == 'Note')
end

return {
  { traverse = 'topdown',
    -- Citations inside a note are part of its text, not note markers.
    Note = function (note) return note, false end,
    Inlines = function (inlines)
      local out = pandoc.Inlines {}
      for i, el in ipairs(inlines) do
        if is_note(el) and is_note(inlines[i + 1]) then
          -- Before citeproc the citation goes in a Span of its own: citeproc moves
          -- punctuation that follows a note-style citation in front of its note.
          out:insert(before_citeproc and el.t == 'Cite' and pandoc.Span { el } or el)
          out:insert(pandoc.Superscript { pandoc.Str ',' })
        else
          out:insert(el)
        end
      end
      return out
    end },
}

--[[
note-numbers.lua — number citations by the note they will end up in.

Citeproc decides "Ibid." from each citation's note number, which pandoc's
reader assigns per parsed file. Once include.lua has spliced several files
together (and crossref.lua has removed @fig-/@tbl- references), those numbers
restart and skip, and "Ibid." goes missing. This pass renumbers them in
document order, the way a note style lays them out: every citation outside a
footnote opens a new note; citations inside a footnote share its number.
Run it last before citeproc.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local note = 0

local function number (cite, num)
  for _, c in ipairs(cite.citations) do c.note_num = num end
  return cite
end

return {
  { traverse = 'topdown',
    -- An implicit figure's image repeats the caption as its description.
    Image = function (img) return img, false end,
    Note = function (el)
      note = note + 1
      local current = note
      el = el:walk { Cite = function (cite) return number(cite, current) end }
      return el, false
    end,
    Cite = function (cite)
      note = note + 1
      return number(cite, note), false
    end,
  },
}

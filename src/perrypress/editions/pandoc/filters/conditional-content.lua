--[[
conditional-content.lua — Quarto's conditional content for plain pandoc.

    ::: {.content-visible when-format="html"}
    Only in the HTML edition.
    :::

    ::: {.content-hidden when-format="docx"}
    In every edition but the DOCX one.
    :::

A Div or Span with class `content-visible` is kept when its conditions hold
and removed otherwise; `content-hidden` is the reverse. The conditions are
`when-format="F"` (the output format is F) and `unless-format="F"` (it is
not); both may be given. When kept, the wrapper is dropped and its content
stays in place, as in Quarto. Format names follow Quarto's aliases: "html"
matches every HTML writer (html, html4, html5, epub, revealjs), "pdf" and
"latex" match LaTeX output (beamer too), "markdown" every Markdown flavour;
any other name must equal pandoc's output format (typst, docx, …).
Quarto's profile and metadata conditions are not implemented: using one
stops the build with error() rather than keeping or dropping content silently.

Order: this filter runs right AFTER include.lua. The conditional divs live
in the section files, which only become part of the document when
include.lua splices them in, and an include inside a conditional div (a
generated table for one edition only) is then resolved like any other — so
every edition checks that the included file exists, as Quarto does, which
expands includes before it evaluates conditions. It runs BEFORE
crossref.lua, so a table or figure that an edition leaves out is neither
numbered nor shifts the numbers of the ones after it, and before citeproc,
so notes inside removed content are not counted.

Licence: MIT.
]]

PANDOC_VERSION:must_be_at_least '3.1'

local ALIASES = {
  html = { html = true, html4 = true, html5 = true, epub = true, epub2 = true, epub3 = true, revealjs = true },
  pdf = { latex = true, beamer = true },
  latex = { latex = true, beamer = true },
  markdown = { markdown = true, markdown_strict = true, markdown_phpextra = true, markdown_mmd = true,
               gfm = true, commonmark = true, commonmark_x = true },
}
local CONDITIONS = { ['when-format'] = true, ['unless-format'] = true }

-- True when the output format is `name` or one of its aliases.
local function format_is (name)
  local wanted = name:lower()
  local aliases = ALIASES[wanted]
  if aliases then return aliases[FORMAT] == true end
  return FORMAT == wanted
end

-- True when every condition on `el` holds; error() on a condition this filter does not know.
local function conditions_hold (el)
  for key, _ in pairs(el.attributes) do
    if key:match '^when%-' or key:match '^unless%-' then
      if not CONDITIONS[key] then
        error(('conditional content: "%s" is not supported — use when-format or unless-format'):format(key), 0)
      end
    end
  end
  local when, unless = el.attributes['when-format'], el.attributes['unless-format']
  return (when == nil or format_is(when)) and (unless == nil or not format_is(unless))
end

-- The element's content when it is to be shown, an empty list when not, nil for other elements.
local function resolve (el)
  local visible = el.classes:includes 'content-visible'
  local hidden = el.classes:includes 'content-hidden'
  if not visible and not hidden then return nil end
  local show = conditions_hold(el)
  if hidden then show = not show end
  return show and el.content or {}
end

return {
  { Div = resolve, Span = resolve },
}

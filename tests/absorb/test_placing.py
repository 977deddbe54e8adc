"""Placing one paragraph's changes in its Markdown source, without a build: projection, mapping, refusal."""

from __future__ import annotations

from pathlib import Path

from perrypress.absorb.docx_text import NOTE, Unit
from perrypress.absorb.place import Placer, char_opcodes
from perrypress.absorb.source_text import markdown_blocks, metadata_blocks
from perrypress.absorb.apply import rewritten
from perrypress.absorb.tracked import rebase

SECTION = """# The *Advent* of It {#sec-advent}

Sex trafficking is a *very* old crime.[@koops2018, 182] It grew --- fast, with {{< var regions.sa.words >}} percent
of victims (See @fig-regions).^[A note with a [link](https://example.org) in it.]
"""
REPORT = """---
title: "A \\"Quoted\\" Title"
author:
  - name: Ana
    bio: >-
      Ana is an
      analyst.
---
"""
CONFIG = {"variables": {"regions": {"data": "data/regions.csv", "key": "slug", "value": "share_pct"}},
          "tables": {}, "bibliography": "references.bib"}


def placer(tmp_path: Path, base: list[Unit]) -> Placer:
    (tmp_path / "sections").mkdir(parents=True)
    (tmp_path / "sections" / "s.qmd").write_text(SECTION, encoding="utf-8")
    (tmp_path / "report.qmd").write_text(REPORT, encoding="utf-8")
    blocks = metadata_blocks(tmp_path / "report.qmd", "report.qmd") + \
        markdown_blocks(tmp_path / "sections" / "s.qmd", "sections/s.qmd")
    return Placer(base, blocks, root=tmp_path, config=CONFIG)


PRINTED = [
    Unit("Heading 1", "The Advent of It"),
    Unit("Body Text", f"Sex trafficking is a very old crime.{NOTE} It grew — fast, with eight percent of victims "
                      f"(See Figure 1).{NOTE}"),
    Unit("Footnote Text", "Koops, Title (2018), 182.", parent=1, note=0),
    Unit("Footnote Text", "A note with a link in it.", parent=1, note=1),
    Unit("Title", "A “Quoted” Title"),
    Unit("About Author", "Ana is an analyst."),
]


def absorb_one(tmp_path: Path, index: int, new: str) -> tuple[str, str, Placer]:
    place = placer(tmp_path, PRINTED)
    place.unit(index, new)
    section = rewritten(SECTION, [e for e in place.plan.edits if e.file == "sections/s.qmd"])
    report = rewritten(REPORT, [e for e in place.plan.edits if e.file == "report.qmd"])
    return section, report, place


def test_projection_keeps_atoms_and_locators() -> None:
    """Citations, notes, variables and cross-references are atoms; a locator's span is its bytes in the file."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.qmd"
        path.write_text(SECTION, encoding="utf-8")
        heading, paragraph = markdown_blocks(path, "s.qmd")
    assert heading.text == "The Advent of It" and heading.kind == "heading"
    kinds = [a.kind for a in paragraph.atoms]
    assert kinds == ["citation", "var", "crossref", "note"]
    key, start, end = paragraph.atoms[0].locators[0]
    assert (key, SECTION[start:end]) == ("koops2018", "182")
    assert paragraph.atoms[3].inner.text == "A note with a link in it."
    assert "—" in paragraph.text  # --- prints as an em dash


def test_word_in_emphasis_heading_and_body(tmp_path: Path) -> None:
    """A word changed inside emphasis keeps the markup around it."""
    section, _, place = absorb_one(tmp_path, 1, PRINTED[1].text.replace("very old", "very ancient"))
    assert "a *very* ancient crime." in section and not place.plan.unplaced
    section, _, _ = absorb_one(tmp_path / "h", 0, "The Advent of Everything")
    assert section.startswith("# The *Advent* of Everything {#sec-advent}\n")


def test_locator_and_note_text(tmp_path: Path) -> None:
    """A locator changed in a citation's note goes to the [@key, locator]; a note's words to its ^[…]."""
    section, _, _ = absorb_one(tmp_path, 2, "Koops, Title (2018), 183.")
    assert "[@koops2018, 183]" in section
    section, _, _ = absorb_one(tmp_path / "n", 3, "A note with a link inside it.")
    assert "^[A note with a [link](https://example.org) inside it.]" in section


def test_generated_text_is_reported_not_applied(tmp_path: Path) -> None:
    """A number from data, a cross-reference's label and a citation's formatted text are reported with their place."""
    new = PRINTED[1].text.replace("eight", "nine").replace("Figure 1", "Figure 2")
    section, _, place = absorb_one(tmp_path, 1, new)
    assert section == SECTION and not place.plan.edits
    where = {u.what: u.where for u in place.plan.unplaced}
    assert "row slug=sa, column share_pct" in where["number from data"]
    assert where["cross-reference"] == "sections/s.qmd:4"  # the line that writes @fig-regions
    section, _, place = absorb_one(tmp_path / "c", 2, "Koops, Another Title (2018), 182.")
    assert section == SECTION and place.plan.unplaced[0].what == "citation"


def test_front_matter_strings(tmp_path: Path) -> None:
    """A title in double quotes is written escaped; a folded bio line by line."""
    _, report, _ = absorb_one(tmp_path, 4, "A “Quoted” New Title")
    assert 'title: "A \\"Quoted\\" New Title"' in report
    _, report, _ = absorb_one(tmp_path / "b", 5, "Ana is a senior analyst.")
    assert "      Ana is a senior\n      analyst." in report or "Ana is a senior analyst" in report


def test_new_text_is_escaped(tmp_path: Path) -> None:
    """Characters Markdown would read as markup are escaped, so the edition prints what the author typed."""
    section, _, _ = absorb_one(tmp_path, 1, PRINTED[1].text.replace("old crime", "old crime [*sic*] @ 5"))
    assert r"old crime \[\*sic\*\] \@ 5." in section


def test_tracked_changes_rebased_past_untracked_edits() -> None:
    """Only the tracked change (rejected → accepted) is made to the base; the untracked edit is left out."""
    base = "one two three four"
    rejected = "one TWO three four"  # an untracked edit
    accepted = "one TWO three five"  # plus a tracked one
    assert rebase(base, rejected, accepted) == "one two three five"
    assert char_opcodes("a b", "a c") == [("replace", 2, 3, 2, 3)]

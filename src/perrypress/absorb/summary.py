"""The report of an absorb: what was applied where, what was not and where to make it, and the comments."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .docx_text import Comment
from .place import Edit, Unplaced

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What absorb did with one edited DOCX."""

    docx: str
    base: str  # the revision or "working tree"
    digest: str
    applied: list[Edit] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    comments: list[tuple[Comment, str]] = field(default_factory=list)  # each with its source place
    written: list[str] = field(default_factory=list)
    dry_run: bool = False
    present: list[Edit] = field(default_factory=list)  # edits the sources already have (absorbed before)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def terminal(outcome: Outcome) -> str:
    """A short plain-text report for the terminal."""
    verb = "would apply" if outcome.dry_run else "applied"
    lines = [f"{outcome.docx}: built from {outcome.base} ({outcome.digest[:27]}…)",
             f"{len(outcome.applied)} edit(s) {verb}, {len(outcome.unplaced)} not applied, "
             f"{len(outcome.comments)} comment(s)"
             + (f", {len(outcome.present)} already in the sources" if outcome.present else "")]
    for edit in outcome.applied:
        lines.append(f"  {verb}  {edit.file}:{edit.line}  {edit.what}: {edit.before!r} → {edit.after!r}")
    for item in outcome.unplaced:
        lines.append(f"  NOT applied  {item.what} — make it in {item.where}: {item.before!r} → {item.after!r}"
                     + (f" ({item.reason})" if item.reason else ""))
    for comment, place in outcome.comments:
        lines.append(f"  comment  {place}  {comment.author} ({comment.date}) on {comment.anchor!r}: {comment.text}")
    if outcome.written:
        lines.append("written: " + ", ".join(outcome.written))
    return "\n".join(lines)


def markdown(outcome: Outcome) -> str:
    """The report as Markdown, to paste into a pull request or an issue."""
    out = [f"# Edits from `{outcome.docx}`", "",
           f"Built from {outcome.base} (`{outcome.digest}`).", ""]
    out += ["## Applied" if not outcome.dry_run else "## To apply", ""]
    if outcome.applied:
        out += ["| where | what | before | after |", "| --- | --- | --- | --- |"]
        out += [f"| `{e.file}:{e.line}` | {e.what} | {_md(e.before)} | {_md(e.after)} |" for e in outcome.applied]
    else:
        out.append("None.")
    out += ["", "## Not applied: make these where they are written", ""]
    if outcome.unplaced:
        out += ["| what | where to make it | before | after | why |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {u.what} | `{_md(u.where)}` | {_md(u.before)} | {_md(u.after)} | {_md(u.reason)} |"
                for u in outcome.unplaced]
    else:
        out.append("None.")
    out += ["", "## Comments", ""]
    if outcome.comments:
        out += ["| source | author | date | on | comment |", "| --- | --- | --- | --- | --- |"]
        out += [f"| `{place}` | {_md(c.author)} | {c.date} | {_md(c.anchor)} | {_md(c.text)} |"
                for c, place in outcome.comments]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"

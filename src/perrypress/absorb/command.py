"""`perrypress absorb EDITED.docx`: an author's Word edits and comments back into the sources."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..errors import SourceError
from . import apply, provenance
from .docx_text import read_comments, read_docx
from .place import plan_changes
from .source_text import source_blocks
from .summary import Outcome, markdown
from .tracked import tracked_only as only_tracked

log = logging.getLogger(__name__)


def absorb(root: Path, config: dict[str, Any], docx: Path, *, base: str | None = None, tracked_only: bool = False,
           dry_run: bool = False, force: bool = False, report: Path | None = None) -> Outcome:
    """Apply the edits of ``docx`` to the sources under ``root``; return what was applied, reported and commented."""
    root, docx = root.resolve(), docx.resolve()
    found = provenance.locate_base(root, config, docx, base)
    base_units = read_docx(found.docx, "accept").units
    accepted = read_docx(docx, "accept").units
    edited = only_tracked(base_units, read_docx(docx, "reject").units, accepted) if tracked_only else accepted
    blocks = source_blocks(found.sources, config)
    plan = plan_changes(base_units, edited, blocks, root=found.sources, config=config)
    edits, conflicts, present = apply.relocate(plan.edits, found.sources, root)
    edits, overlaps = apply.without_overlaps(edits)
    outcome = Outcome(str(docx), found.revision, found.digest, edits, plan.unplaced + conflicts + overlaps,
                      dry_run=dry_run, present=present)
    # Comments: each tied to the base paragraph its text is aligned with.
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, [u.text for u in base_units], [u.text for u in accepted], autojunk=False)
    to_base = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or i2 - i1 == j2 - j1:
            to_base.update(zip(range(j1, j2), range(i1, i2)))
        else:
            to_base.update({j: i1 for j in range(j1, j2)})
    from .place import Placer

    placer = Placer(base_units, blocks, root=found.sources, config=config)
    for comment in read_comments(docx, accepted):
        index = to_base.get(comment.unit_index)
        outcome.comments.append((comment, placer.place_of(index) if index is not None else "(not found)"))
    files = sorted({e.file for e in edits})
    dirty = apply.uncommitted(root, files)
    if dirty and not force and not dry_run:
        raise SourceError(root / dirty[0], "has changes not committed; absorb would write into it",
                          "commit or stash them first, or run again with --force")
    if not dry_run:
        outcome.written = apply.write_edits(root, edits)
        target = report or root / "_build" / "absorb" / f"{docx.stem}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown(outcome), encoding="utf-8")
        outcome.written.append(str(target))
    return outcome

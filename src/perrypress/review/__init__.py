"""``perrypress review BASE [HEAD]``: build both sides and show what changed in the editions readers see.

sides.py builds each side (BASE in a cached git worktree), edition.py reads a built HTML edition,
textdiff.py diffs words and aligns paragraphs and notes, compare.py compares the two builds (prose,
notes, bibliography, tables, variables, figures, pages, metadata), redline.py writes review.docx,
report.py writes SUMMARY.md and index.html, run.py ties them together for the command line.
"""

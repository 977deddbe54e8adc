"""`perrypress add`: a section, a table, a figure or a source added to a paper, which still builds afterwards.

Each command edits the paper's own files as an editor would — the new file,
its line in ``report.qmd``, its resource in ``data/datapackage.json``, its
entry in ``config/config.yaml`` (inserted as text, so every comment stays) —
and returns what the editor should fill in next.
"""

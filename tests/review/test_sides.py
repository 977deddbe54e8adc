"""A side of the review is a revision's files: exported whole, never through a link out of the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git
from perrypress.errors import SourceError
from perrypress.review.sides import export


def test_a_committed_link_out_of_the_project_is_refused_by_name(tmp_path: Path) -> None:
    """A revision whose sections/ holds a symbolic link to a file outside: a SourceError naming the link and
    what it points to, and nothing of the revision left exported."""
    root = tmp_path / "paper"
    (root / "sections").mkdir(parents=True)
    (root / "sections" / "01.qmd").write_text("Text.\n", encoding="utf-8")
    (root / "sections" / "02.qmd").symlink_to("/etc/hostname")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    folder = tmp_path / "exported"
    with pytest.raises(SourceError) as refused:
        export(root, "HEAD", folder)
    assert str(refused.value).startswith("sections/02.qmd: at HEAD, a symbolic link to '/etc/hostname', outside")
    assert "commit the file itself" in str(refused.value)
    assert not folder.exists()

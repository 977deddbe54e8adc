"""The report's metadata: the YAML front matter of report.qmd, read as data (its text kept for line numbers)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import DocumentError
from .config import load_yaml
from .utf8 import read_source


def read_metadata(report: Path) -> tuple[dict[str, Any], str]:
    """Return the YAML front matter of ``report`` and its text."""
    text = read_source(report)
    match = re.match(r"^---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(\n|$)", text, flags=re.S)
    if not match:
        raise DocumentError(report, "no YAML metadata block at the top", "start the file with --- … ---", line=1)
    try:
        return load_yaml(match.group(1)) or {}, match.group(1)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DocumentError(report, f"metadata is not valid YAML: {getattr(exc, 'problem', exc)}",
                            "correct the YAML between the --- lines",
                            line=mark.line + 2 if mark else None) from None

"""Careful text edits of the paper's files: a YAML entry inserted under a top-level key, comments kept."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceError

log = logging.getLogger(__name__)


class AddError(SourceError):
    """`perrypress add` cannot do what was asked; the message says why and what to do."""


def insert_entry(path: Path, section: str, name: str, entry: str) -> None:
    """Insert ``name:`` and its ``entry`` (YAML text, indented two spaces) as the last item under ``section:``.

    The rest of the file — its comments, order and quoting — is left exactly as it was; the result is
    read back, and refused unless it holds the new entry and every other value unchanged.
    """
    text = path.read_text(encoding="utf-8")
    before = yaml.safe_load(text) or {}
    if name in (before.get(section) or {}):
        raise AddError(path, f"{section}.{name} is already declared", "choose another name, or edit that entry",
                       line=_line(text, section))
    block = f"  {name}:\n" + "".join(f"    {line}\n" if line else "\n" for line in entry.rstrip("\n").split("\n"))
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(section)}:(\s|$)", line)), None)
    if start is None:
        lines += [f"\n{section}:\n", block]
    elif re.match(rf"{re.escape(section)}:\s*\{{\s*\}}\s*(#.*)?$", lines[start]):
        comment = lines[start].split("#", 1)[1].strip() if "#" in lines[start] else ""
        lines[start] = f"{section}:" + (f"  # {comment}" if comment else "") + "\n"
        lines.insert(start + 1, block)
    else:
        end = start + 1
        last = start
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#"):
            if lines[end].strip() and lines[end][0] in " \t":
                last = end
            end += 1
        lines.insert(last + 1, block)
    new_text = "".join(lines)
    after = yaml.safe_load(new_text)
    expected = dict(before)
    if not isinstance(after, dict) or name not in (after.get(section) or {}):
        raise AddError(path, f"could not add {section}.{name} to this file", f"add it under {section}: by hand")
    expected[section] = {**(before.get(section) or {}), name: after[section][name]}
    if after != expected:
        raise AddError(path, f"adding {section}.{name} would change other keys", f"add it under {section}: by hand")
    path.write_text(new_text, encoding="utf-8")


def _line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def yaml_value(value: Any) -> str:
    """``value`` as one line of YAML (flow style; strings quoted when they need it)."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30,
                          sort_keys=False).strip().removesuffix("...").strip()


def front_matter_end(text: str) -> int:
    """The offset of the line that closes report.qmd's YAML front matter (``---``)."""
    match = re.match(r"---\n.*?\n(---)\s*\n", text, re.S)
    if not match:
        raise AddError("report.qmd", "no YAML metadata block at the top", "start the file with --- … ---")
    return match.start(1)

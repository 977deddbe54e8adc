"""A step depends on the part of the configuration it reads, not on the whole file.

``config/config.yaml`` holds the fonts, every table, every figure, the numbers the
prose quotes and what the editions are. A rule that took the whole file as an input
would rerun on any edit: a table's caption would instance the fonts again. So each
run of the workflow writes every part a step reads as its own file under
``_build/config/`` (:func:`write_parts`, from rules/common.smk), and rewrites a part
only when its content changed: an untouched part keeps its modification time and
its digest, and the steps that read only it stay up to date.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FOLDER = Path("_build") / "config"


def parts(config: dict[str, Any]) -> dict[str, Any]:
    """Each part of the configuration by name: what one step (or kind of step) reads of it."""
    found: dict[str, Any] = {
        # The figures' font instances, the web fonts, the DOCX reference document.
        "fonts": config["fonts"],
        # The numbers the prose quotes, and the figures whose alt texts they include.
        "variables": {"variables": config["variables"], "figures": config["figures"]},
        # What `quarto render` needs besides the editions' inputs (workflow/quarto_files.py).
        "quarto": {key: config[key] for key in ("report", "mode", "output_name", "fonts") if key in config},
        # The editions read all but the publishing settings (which only `perrypress publish` reads).
        "editions": {key: value for key, value in config.items() if key != "publish"},
    }
    found.update({f"table-{slug}": spec for slug, spec in config["tables"].items()})
    found.update({f"figure-{slug}": spec for slug, spec in config["figures"].items()})
    return found


def part_path(name: str, folder: Path = FOLDER) -> str:
    """The file of one part (a path relative to the project, as the rules name inputs)."""
    return (folder / f"{name}.json").as_posix()


def write_if_different(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it holds it already (keeping its modification time); return whether written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return True


def write_parts(config: dict[str, Any], folder: Path = FOLDER) -> list[str]:
    """Write each part whose content changed; return the names of those written."""
    written = []
    for name, value in parts(config).items():
        text = json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False, default=str) + "\n"
        if write_if_different(Path(part_path(name, folder)), text):
            written.append(name)
    return written

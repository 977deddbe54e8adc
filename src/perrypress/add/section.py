"""`perrypress add section TITLE`: ``sections/NN-slug.qmd`` and its include in report.qmd, after the others."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from ..new.project import slug as file_slug
from .edits import AddError
from .words import paper_language, words

log = logging.getLogger(__name__)

SECTION_INCLUDE = re.compile(r"^\{\{<\s*include\s+/?sections/(\d+)-[^\s>]*\.qmd\s*>\}\}[ \t]*$", re.M)


def add_section(root: Path, config: dict[str, Any], title: str) -> tuple[Path, list[str]]:
    """Write the next section and include it last in report.qmd; return its file and what to fill in."""
    if not title.strip():
        raise AddError("report.qmd", "the section has no title", 'give it one: perrypress add section "Title"')
    report = root / config["report"]
    text = report.read_text(encoding="utf-8")
    folder = root / "sections"
    numbers = [int(m.group(1)) for m in SECTION_INCLUDE.finditer(text)]
    numbers += [int(p.name[:2]) for p in folder.glob("[0-9][0-9]-*.qmd")]
    name = file_slug(title)[:40].rstrip("-")
    path = folder / f"{max(numbers, default=0) + 1:02d}-{name}.qmd"
    label = f"sec-{name}"
    taken = {m for p in folder.glob("*.qmd") for m in re.findall(r"\{#(sec-[\w-]+)", p.read_text(encoding="utf-8"))}
    if label in taken:
        raise AddError(path.relative_to(root), f"a section is already labelled {{#{label}}}",
                       "give this section another title")
    folder.mkdir(exist_ok=True)
    language = paper_language(root, config)
    path.write_text(f"# {title.strip()} {{#{label}}}\n\n{words(language)['section']}\n", encoding="utf-8")
    include = f"{{{{< include sections/{path.name} >}}}}\n"
    matches = list(SECTION_INCLUDE.finditer(text))
    if matches:
        end = matches[-1].end()
        text = text[:end] + "\n\n" + include.rstrip("\n") + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + include
    report.write_text(text, encoding="utf-8")
    relative = path.relative_to(root)
    return relative, [f"{relative}: write the section (its heading is labelled {{#{label}}}: refer to it as @{label})"]

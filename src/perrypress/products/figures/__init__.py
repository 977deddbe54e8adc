"""The paper's figures, each declared in config/config.yaml by its ``kind``: per kind, one module draws, one describes.

- ``map``: a world map whose countries are shaded by their region's value: map.py draws, map_text.py describes;
- ``bar``: a bar chart of one or more value columns by category: bar.py draws, bar_text.py describes;
- ``line``: a line chart of one or more value columns over an x column: line.py draws, line_text.py describes.

A drawing module exposes ``draw(slug, spec, root=, font_files=, outputs=, conjunction=)``
(``conjunction`` is the paper's "and", its labels' ``and``, before the last page of a source
line), drawing in the house style and with the reproducible save of style.py (matplotlib); bar
and line share chart.py.

A describing module, ``<kind>_text.py``, exposes ``describe(slug, spec, root=)`` (the alt text,
from the data) and imports no matplotlib, nor pyshp: the variables step, which writes the alt
texts, loads only these, the data (frames.py, pandas), the numbers as figures print them
(text.py) and, for bar and line, what their words share (chart_text.py). The drawing modules
read their values and print their numbers with these same helpers, so a figure and its alt text
agree. A kind's modules are imported only when a figure of that kind is drawn or described; the
workflow names them in ``FIGURE_TEXT_MODULES`` and ``FIGURE_MODULES``
(workflow/rules/common.smk), so editing one reruns the steps that load it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from ...errors import ConfigError

KINDS = ("map", "bar", "line")
# The formats every kind writes (style.FORMATS, repeated here so reading it does not load matplotlib).
FORMATS = ("svg", "pdf", "png")
CONFIG = "config/config.yaml"


def _kind(slug: str, spec: Mapping[str, Any]) -> str:
    """``spec``'s kind; a ConfigError for a kind there is none of."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ConfigError(CONFIG, f"figures.{slug}.kind: {kind!r} is not a kind of figure",
                          f"use one of {', '.join(KINDS)}")
    return kind


def kind_module(slug: str, spec: Mapping[str, Any]) -> ModuleType:
    """The module that draws figures of ``spec``'s kind (it loads matplotlib); a ConfigError for an unknown kind."""
    return importlib.import_module(f"{__name__}.{_kind(slug, spec)}")


def text_module(slug: str, spec: Mapping[str, Any]) -> ModuleType:
    """The module that describes figures of ``spec``'s kind (no matplotlib); a ConfigError for an unknown kind."""
    return importlib.import_module(f"{__name__}.{_kind(slug, spec)}_text")


def outputs(slug: str, out_dir: Path) -> dict[str, Path]:
    """The files a figure is saved to: ``<out_dir>/<slug>.<format>`` for every format."""
    return {fmt: Path(out_dir) / f"{slug}.{fmt}" for fmt in FORMATS}


def draw(slug: str, spec: Mapping[str, Any], *, root: Path, font_files: list[Path], out_dir: Path,
         conjunction: str = "and") -> dict[str, Path]:
    """Draw the figure ``slug`` that ``spec`` (figures.<slug>) declares, in every format; return the files."""
    files = outputs(slug, out_dir)
    kind_module(slug, spec).draw(slug, spec, root=Path(root), font_files=font_files, outputs=files,
                                 conjunction=conjunction)
    return files


def alt_text(slug: str, spec: Mapping[str, Any], *, root: Path) -> str:
    """The alt text of the figure ``slug``: the configured opening, then its values from the data (no matplotlib)."""
    return text_module(slug, spec).describe(slug, spec, root=Path(root))

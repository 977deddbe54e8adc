"""The house style every kind of figure draws in: fonts, colours, sizes, and a reproducible save (numbers: text.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from fontTools.ttLib import TTFont

matplotlib.use("Agg")

from matplotlib import colormaps, font_manager, ft2font  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

log = logging.getLogger(__name__)

# HTML and PDF editions (SVG), print (PDF), DOCX (PNG at 300 dpi).
FORMATS = ("svg", "pdf", "png")
PNG_DPI = 300
# The text width of the editions, in inches: every figure is this wide.
WIDTH_IN = 6.5
# Fixes the ids matplotlib writes into an SVG (clip paths, hatches). It keeps the value the
# first figure (the map) was drawn with, so that figure's bytes did not change when the
# other kinds arrived.
SVG_HASHSALT = "perrypress-figure-regions"

TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#555555"
NO_DATA_COLOUR = "#d9d9d9"
GRID_COLOUR = "#d9d9d9"
BORDER_COLOUR = "#ffffff"
HATCH_COLOUR = "#2f4f6f"
# The house scale: matplotlib's Blues without its near-white end.
SCALE = LinearSegmentedColormap.from_list("perrypress_blues", colormaps["Blues"](np.linspace(0.18, 1.0, 256)))
# Colours of the series of a bar or line chart, in order: steps of the house scale far enough
# apart to tell in grey print, with the hatch colour as the darkest.
SERIES_COLOURS = tuple(to_hex(SCALE(v)) for v in (0.78, 0.42, 0.12)) + (HATCH_COLOUR,)
# Line charts tell series apart by marker and dash as well as by colour.
SERIES_MARKERS = ("o", "s", "^", "D")
SERIES_DASHES = ("-", "--", "-.", ":")

# Font sizes in points.
TEXT_SIZE = 7.5
LABEL_SIZE = 6.8
TICK_SIZE = 6.5
SOURCE_SIZE = 6.3
VALUE_SIZE = 6.6

# Metadata that would make two saves differ (dates, versions) is left out.
METADATA: dict[str, dict[str, None]] = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    "png": {"Software": None},
}


def check_formats(outputs: Mapping[str, Path]) -> None:
    """Raise ValueError for a requested format no figure writes."""
    bad = sorted(set(outputs) - set(FORMATS))
    if bad:
        raise ValueError(f"unsupported output format(s): {', '.join(bad)}; use {', '.join(FORMATS)}")


def check_glyphs(texts: Iterable[str], font_files: list[Path]) -> None:
    """Raise ValueError when a character of the figure's text is missing from a font file."""
    wanted = {ch for text in texts for ch in text if ch not in "\n"}
    for path in font_files:
        charmap = ft2font.FT2Font(str(path)).get_charmap()
        missing = sorted(ch for ch in wanted if ord(ch) not in charmap)
        if missing:
            shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
            raise ValueError(f"{Path(path).name} lacks glyphs for {shown}")


def register_fonts(font_files: list[Path]) -> tuple[str, int, int]:
    """Register static font files with matplotlib; return the first file's family, its text and emphasis weights."""
    if not font_files:
        raise ValueError("a figure needs at least one font file")
    family, weights = None, set()
    for path in map(Path, font_files):
        if not path.is_file():
            raise ValueError(f"font file not found: {path}")
        with TTFont(str(path), lazy=True) as probe:
            variable = "fvar" in probe
        if variable:
            raise ValueError(
                f"{path.name} is a variable font, which matplotlib draws at its default instance: "
                "pass static instances (see static_fonts)"
            )
        font_manager.fontManager.addfont(str(path))
        entry = font_manager.ttfFontProperty(font_manager.get_font(str(path)))
        family = family or entry.name
        if entry.name == family and entry.style == "normal":
            weights.add(int(entry.weight))
    if not weights:
        raise ValueError(f"no upright font of the family {family!r} among the font files")
    text = min(weights, key=lambda w: abs(w - 400))
    heavier = [w for w in weights if w > text]
    emphasis = min(heavier, key=lambda w: abs(w - 600)) if heavier else text
    return family, text, emphasis


def house_rc(family: str, text_weight: int) -> dict[str, Any]:
    """The matplotlib settings of every figure: the given font, text as paths in SVG, embedded TrueType in PDF."""
    return {
        "font.family": [family],
        "font.weight": text_weight,
        "font.size": TEXT_SIZE,
        "svg.fonttype": "path",
        "svg.hashsalt": SVG_HASHSALT,
        "pdf.fonttype": 42,
        "hatch.linewidth": 0.6,
        "hatch.color": HATCH_COLOUR,
        "text.color": TEXT_COLOUR,
        "axes.unicode_minus": False,
    }


def save(fig: Figure, outputs: Mapping[str, Path]) -> None:
    """Save ``fig`` to each requested format, with no date or version in the file, in the order of FORMATS."""
    for fmt in FORMATS:
        if fmt not in outputs:
            continue
        path = Path(outputs[fmt])
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = {"dpi": PNG_DPI} if fmt == "png" else {}
        fig.savefig(path, format=fmt, metadata=METADATA[fmt], facecolor="white", **extra)
        log.info("wrote %s", path)

"""Static instances of the project's variable fonts, for tools that cannot read a variable font.

matplotlib (Figure 1) and word processors (the DOCX edition's embedded fonts)
draw a variable font at its default instance only, so they get static
instances: every axis pinned, the weight where asked, cut to the project's
Latin set. The HTML edition's WOFF2 fonts keep their weight axis
(webfonts.py).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

from ..toolchain import LATIN_UNICODES
from . import font_cache

log = logging.getLogger(__name__)

# Word's four faces of a family: (style name, bold, italic).
WORD_FACES: tuple[tuple[str, bool, bool], ...] = (
    ("Regular", False, False), ("Bold", True, False), ("Italic", False, True), ("Bold Italic", True, True),
)
REGULAR_WEIGHT, BOLD_WEIGHT = 400, 700


def _instance(font: TTFont, *, weight: int, unicodes: Iterable[int] | None, update_names: bool) -> TTFont:
    """Cut ``font`` to ``unicodes`` (None keeps every glyph) and pin every axis: wght at ``weight``, others at default."""
    if "fvar" not in font:
        raise ValueError("not a variable font")
    if unicodes is not None:
        options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                                 legacy_kern=True, hinting=True)
        options.drop_tables = [t for t in options.drop_tables if t != "STAT"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=list(unicodes))
        subsetter.subset(font)
    limits: dict[str, float | None] = {a.axisTag: None for a in font["fvar"].axes}  # None: the axis default
    limits["wght"] = weight
    return instancer.instantiateVariableFont(font, limits, updateFontNames=update_names)


def static_font(variable: Path, out: Path, *, weight: int = 400,
                unicodes: Iterable[int] | None = LATIN_UNICODES) -> Path:
    """Write a static instance of a variable font at a weight, cut to unicodes (None keeps every glyph)."""
    cut = None if unicodes is None else sorted(set(unicodes))

    def make() -> dict[str, bytes]:
        font = TTFont(str(variable), recalcTimestamp=False)
        if "fvar" not in font:
            raise ValueError(f"not a variable font: {variable}")
        static = _instance(font, weight=weight, unicodes=cut, update_names=True)
        buffer = io.BytesIO()
        static.save(buffer)
        return {"static.ttf": buffer.getvalue()}

    made = font_cache.cached("static_font", sources=[Path(variable)], code=[Path(__file__)],
                             settings={"weight": weight, "unicodes": cut}, make=make)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(made["static.ttf"])
    return out


def static_fonts(font_files: Iterable[Path], out_dir: Path, *, weights: Iterable[int] = (400, 600)) -> list[Path]:
    """Return font files draw_regions can use: upright variable fonts become static instances, italics are dropped."""
    out: list[Path] = []
    for path in map(Path, font_files):
        with TTFont(str(path), lazy=True) as probe:
            variable, italic = "fvar" in probe, bool(probe["OS/2"].fsSelection & 1)
        if not variable:
            out.append(path)
        elif not italic:
            stem = path.stem.split("[")[0]
            out += [static_font(path, Path(out_dir) / f"{stem}-{w}.ttf", weight=w) for w in weights]
    return out


def write_static_fonts(font_files: Iterable[Path], out_dir: Path) -> list[Path]:
    """Write :func:`static_fonts` into ``out_dir`` (static files copied in too), replacing what was there."""
    import shutil

    out_dir = Path(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    written = []
    for font in static_fonts(font_files, out_dir):
        if font.parent != out_dir:
            font = Path(shutil.copyfile(font, out_dir / font.name))
        written.append(font)
    return written


def is_italic(path: Path) -> bool:
    """True when the font file is an italic (OS/2 fsSelection bit 0)."""
    with TTFont(str(path), lazy=True) as font:
        return bool(font["OS/2"].fsSelection & 1)


def word_fonts(source: Path, *, family: str, unicodes: Iterable[int] | None = LATIN_UNICODES) -> dict[str, bytes]:
    """Return the two static TrueType faces of ``source`` Word looks up by name, by style.

    An upright file gives "Regular" and "Bold", an italic one "Italic" and "Bold Italic"; each is named
    ``family`` + style in the four-face model Word and LibreOffice match on. The font is cut to
    ``unicodes`` once and instanced at each weight (instancing its kerning is the slow part). The faces
    come from the machine's font cache when these very fonts were made before (font_cache.py).
    """
    cut = None if unicodes is None else sorted(set(unicodes))
    return font_cache.cached("word_fonts", sources=[Path(source)], code=[Path(__file__)],
                             settings={"family": family, "unicodes": cut},
                             make=lambda: _word_fonts(source, family=family, unicodes=cut))


def _word_fonts(source: Path, *, family: str, unicodes: Iterable[int] | None) -> dict[str, bytes]:
    """:func:`word_fonts`, made afresh."""
    font = TTFont(str(source), recalcTimestamp=False)
    italic = bool(font["OS/2"].fsSelection & 1)
    if unicodes is not None:
        options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                                 legacy_kern=True, hinting=True)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=list(unicodes))
        subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    cut = buffer.getvalue()
    faces: dict[str, bytes] = {}
    for bold in (False, True):
        face = TTFont(io.BytesIO(cut), recalcTimestamp=False)
        if "fvar" in face:
            face = _instance(face, weight=BOLD_WEIGHT if bold else REGULAR_WEIGHT, unicodes=None, update_names=False)
        style = next(name for name, b, i in WORD_FACES if (b, i) == (bold, italic))
        faces[style] = _word_named(face, family=family, style=style, bold=bold, italic=italic)
    return faces


def _word_named(font: TTFont, *, family: str, style: str, bold: bool, italic: bool) -> bytes:
    """Name and flag a static face as ``family`` ``style``; return its bytes."""
    full = family if style == "Regular" else f"{family} {style}"
    postscript = f"{family}-{style}".replace(" ", "")
    if "STAT" in font:  # the axes' style names: a static face in a four-face family has none
        del font["STAT"]
    names = font["name"]
    for name_id in (16, 17, 21, 22, 25):  # typographic and WWS names, variation prefix: the four-face model only
        names.removeNames(nameID=name_id)
    for name_id, value in ((1, family), (2, style), (3, f"{postscript};perrypress"), (4, full), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    os2 = font["OS/2"]
    os2.usWeightClass = BOLD_WEIGHT if bold else REGULAR_WEIGHT
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (1 if italic else 0) | (0b100000 if bold else 0) \
        | (0b1000000 if not (bold or italic) else 0)
    font["head"].macStyle = (1 if bold else 0) | (2 if italic else 0)
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()

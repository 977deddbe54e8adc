"""Web fonts for the HTML edition: the PDF's fonts cut to Latin, as byte-identical WOFF2, with @font-face rules."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from conftest import ROOT
from perrypress.sources.config import load_config
from perrypress.toolchain import font_files
from perrypress.editions.webfonts import FontFace, font_face_css, web_font

FONTS = load_config(ROOT / "config" / "config.yaml", root=ROOT)["fonts"]
SMALL = [ord(c) for c in "Perry Center 2024 –“”’"]


@pytest.fixture(scope="module")
def serif() -> Path:
    """The upright Source Serif 4 variable font (weight and optical-size axes)."""
    return next(p for p in font_files({"serif": FONTS["serif"]}) if "Italic" not in p.name)


def test_woff2_is_byte_identical(serif: Path) -> None:
    """Two runs give the same bytes, a WOFF2 file (no timestamps, fixed options)."""
    first, second = web_font(serif, unicodes=SMALL), web_font(serif, unicodes=SMALL)
    assert first == second and first[:4] == b"wOF2"


def test_subset_axes_and_names(serif: Path) -> None:
    """Only the asked characters, the weight axis cut to 400–700, optical size pinned, the OFL notice kept."""
    font = TTFont(io.BytesIO(web_font(serif, unicodes=SMALL)))
    assert set(font.getBestCmap()) == set(SMALL)
    axes = {a.axisTag: (a.minValue, a.maxValue) for a in font["fvar"].axes}
    assert axes == {"wght": (400, 700)}
    names = {record.nameID for record in font["name"].names}
    assert {0, 1, 13, 14} <= names  # copyright, family, licence description and URL


def test_font_face_rules() -> None:
    """Each face becomes one rule with its style, weight range, file and a compact unicode-range."""
    css = font_face_css([FontFace("Source Serif 4", "italic", (400, 700), "source-serif-4-italic.woff2")],
                        unicodes=[0x41, 0x42, 0x43, 0x2013])
    assert 'font-family: "Source Serif 4";' in css and "font-style: italic;" in css
    assert "font-weight: 400 700;" in css and 'src: url("source-serif-4-italic.woff2") format("woff2");' in css
    assert "unicode-range: U+41-43, U+2013;" in css and css.count("@font-face") == 1

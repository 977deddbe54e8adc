"""Static font instances: for Figure 1 (matplotlib) and the DOCX edition's embedded fonts (Word, LibreOffice)."""

from __future__ import annotations

import io
from pathlib import Path

import fontpkg_source_sans_3
import fontpkg_source_serif_4
import pytest
from fontTools.ttLib import TTFont

from perrypress.editions.fonts import word_fonts

SANS = Path(fontpkg_source_sans_3.ROOT) / "files"
SERIF = Path(fontpkg_source_serif_4.ROOT) / "files"
FEW = [ord(c) for c in "Tag 2024"]  # a few characters keep the instancing fast


def faces(source: Path, family: str) -> dict[str, TTFont]:
    return {style: TTFont(io.BytesIO(data)) for style, data in word_fonts(source, family=family, unicodes=FEW).items()}


class TestWordFonts:
    """Each variable font gives two static faces, named and flagged as Word's four-face family expects."""

    @pytest.fixture(scope="class")
    @classmethod
    def upright(cls) -> dict[str, TTFont]:
        return faces(next(SERIF.glob("SourceSerif4[[]*.ttf")), "Source Serif 4")

    @pytest.fixture(scope="class")
    @classmethod
    def italic(cls) -> dict[str, TTFont]:
        return faces(next(SANS.glob("SourceSans3-Italic*.ttf")), "Source Sans 3")

    def test_upright_file_gives_regular_and_bold(self, upright: dict[str, TTFont]) -> None:
        """An upright file gives Regular (400) and Bold (700), neither italic."""
        assert list(upright) == ["Regular", "Bold"]
        assert [f["OS/2"].usWeightClass for f in upright.values()] == [400, 700]
        assert [f["head"].macStyle for f in upright.values()] == [0, 1]
        assert [f["OS/2"].fsSelection & 0b1100001 for f in upright.values()] == [0b1000000, 0b100000]

    def test_italic_file_gives_italic_and_bold_italic(self, italic: dict[str, TTFont]) -> None:
        """An italic file gives Italic and Bold Italic, flagged italic in OS/2 and head."""
        assert list(italic) == ["Italic", "Bold Italic"]
        assert [f["head"].macStyle for f in italic.values()] == [2, 3]
        assert all(f["OS/2"].fsSelection & 1 for f in italic.values())

    def test_static_with_every_axis_pinned(self, upright: dict[str, TTFont]) -> None:
        """No variation tables are left (Source Serif's optical size is pinned too)."""
        for font in upright.values():
            assert not {"fvar", "gvar", "avar", "STAT", "HVAR", "MVAR"} & set(font.keys())

    def test_named_as_the_family_and_style(self, upright: dict[str, TTFont], italic: dict[str, TTFont]) -> None:
        """Family (name 1) is the configured family; style (name 2) the face; no typographic family overrides it."""
        for family, found in (("Source Serif 4", upright), ("Source Sans 3", italic)):
            for style, font in found.items():
                names = font["name"]
                assert names.getDebugName(1) == family and names.getDebugName(2) == style
                assert names.getName(16, 3, 1, 0x409) is None

    def test_cut_to_the_characters(self, upright: dict[str, TTFont]) -> None:
        """Only the requested characters are mapped."""
        assert set(upright["Regular"].getBestCmap()) == set(FEW)

    def test_same_bytes_twice(self) -> None:
        """Two runs give the same bytes (the DOCX edition is reproducible)."""
        source = next(SANS.glob("SourceSans3[[]*.ttf"))
        assert word_fonts(source, family="Source Sans 3", unicodes=FEW) == \
            word_fonts(source, family="Source Sans 3", unicodes=FEW)

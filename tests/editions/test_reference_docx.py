"""The DOCX edition's reference document: pandoc's own, restyled from code, reproducible to the byte."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import ROOT
from perrypress import cli
from perrypress.sources.config import load_config
from perrypress.errors import ConfigError
from perrypress.editions.reference_docx import (CHARACTER_STYLES, GOLD, NAVY, PARAGRAPH_STYLES, ZIP_DATE, reference_docx,
                                       write_reference_docx)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FONTS = {"serif": "Test Serif", "sans": "Test Sans"}
# The named styles pandoc's DOCX writer uses, and the front and back matter's custom styles.
PANDOC_STYLES = ["Title", "Subtitle", "Author", "Date", "heading 1", "heading 2", "heading 3", "Body Text",
                 "First Paragraph", "Block Text", "Footnote Text", "Footnote Reference", "Caption", "Table Caption",
                 "Image Caption", "Figure", "Captioned Figure", "Table", "Hyperlink", "Bibliography", "Compact"]
CUSTOM_STYLES = ["Series Line", "Byline", "About Author", "Series Statement", "Disclaimer", "Back Matter"]


@pytest.fixture(scope="module")
def data() -> bytes:
    """A reference document made with test font names."""
    return reference_docx(FONTS)


def part(data: bytes, name: str) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ET.fromstring(archive.read(name))


def styles_by_name(data: bytes) -> dict[str, ET.Element]:
    return {s.find(W + "name").get(W + "val"): s for s in part(data, "word/styles.xml").iter(W + "style")}


class TestReproducible:
    """The same fonts give the same bytes: no dates, no order that depends on the machine."""

    def test_two_writes_are_identical(self, tmp_path: Path) -> None:
        """Writing twice gives byte-identical files."""
        first, second = tmp_path / "a" / "reference.docx", tmp_path / "b" / "reference.docx"
        write_reference_docx(first, fonts=FONTS)
        write_reference_docx(second, fonts=FONTS)
        assert first.read_bytes() == second.read_bytes()

    def test_sorted_entries_with_fixed_dates(self, data: bytes) -> None:
        """ZIP entries are sorted and dated 1980-01-01."""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {ZIP_DATE}

    def test_no_timestamps_in_properties(self, data: bytes) -> None:
        """docProps carry no creation or modification date and no application statistics."""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            props = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("docProps/"))
        assert b"dcterms:created" not in props and b"dcterms:modified" not in props and b"TotalTime" not in props


class TestStyles:
    """Every style pandoc and the front and back matter use is defined, in the fonts it is given."""

    def test_named_styles_defined(self, data: bytes) -> None:
        """pandoc's named styles and the custom front/back-matter styles exist."""
        found = {name.lower() for name in styles_by_name(data)}
        missing = [n for n in PANDOC_STYLES + CUSTOM_STYLES + list(PARAGRAPH_STYLES) + list(CHARACTER_STYLES)
                   if n.lower() not in found]
        assert missing == []

    def test_custom_style_ids(self, data: bytes) -> None:
        """Custom styles get space-free ids, which pandoc's custom-style attribute resolves by name."""
        styles = styles_by_name(data)
        assert styles["Series Line"].get(W + "styleId") == "SeriesLine"
        assert styles["Back Matter"].get(W + "customStyle") == "1"

    def test_fonts_come_from_the_argument(self, data: bytes) -> None:
        """The serif is the default font; headings and the title are in the sans."""
        defaults = part(data, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
        assert defaults.get(W + "ascii") == "Test Serif"
        styles = styles_by_name(data)
        for name in ("Title", "heading 1", "heading 2", "Caption", "Series Line", "Back Matter"):
            assert styles[name].find(f"{W}rPr/{W}rFonts").get(W + "ascii") == "Test Sans", name
        header = styles["Table"].find(f"{W}tblStylePr/{W}rPr/{W}rFonts")
        assert header.get(W + "ascii") == "Test Sans"

    def test_fonts_named_in_font_table_and_theme(self, data: bytes) -> None:
        """Word's font table and theme name the two families (so "Headings" and "Body" are the house fonts)."""
        names = {f.get(W + "name") for f in part(data, "word/fontTable.xml").iter(W + "font")}
        assert {"Test Serif", "Test Sans"} <= names
        a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
        scheme = part(data, "word/theme/theme1.xml").find(f"{a}themeElements/{a}fontScheme")
        assert scheme.find(f"{a}majorFont/{a}latin").get("typeface") == "Test Sans"
        assert scheme.find(f"{a}minorFont/{a}latin").get("typeface") == "Test Serif"

    def test_house_colours(self, data: bytes) -> None:
        """Navy headings and title, a gold rule under the title, navy links."""
        styles = styles_by_name(data)
        for name in ("Title", "heading 1", "heading 2", "heading 3"):
            assert styles[name].find(f"{W}rPr/{W}color").get(W + "val") == NAVY, name
        assert styles["Title"].find(f"{W}pPr/{W}pBdr/{W}bottom").get(W + "color") == GOLD
        assert styles["Hyperlink"].find(f"{W}rPr/{W}color").get(W + "val") == NAVY

    def test_headings_keep_their_outline_level(self, data: bytes) -> None:
        """Restyling keeps what makes headings headings (Word's navigation pane, PDF bookmarks)."""
        styles = styles_by_name(data)
        for level in (1, 2, 3):
            assert styles[f"heading {level}"].find(f"{W}pPr/{W}outlineLvl").get(W + "val") == str(level - 1)

    def test_properties_in_schema_order(self, data: bytes) -> None:
        """pPr comes before rPr in every style (Word refuses a file with properties out of order)."""
        for style in part(data, "word/styles.xml").iter(W + "style"):
            tags = [c.tag.removeprefix(W) for c in style]
            if "pPr" in tags and "rPr" in tags:
                assert tags.index("pPr") < tags.index("rPr"), style.get(W + "styleId")

    def test_us_letter_page(self, data: bytes) -> None:
        """US Letter with one-inch margins."""
        section = part(data, "word/document.xml").find(f"{W}body/{W}sectPr")
        assert section.find(W + "pgSz").get(W + "w") == "12240" and section.find(W + "pgSz").get(W + "h") == "15840"
        assert section.find(W + "pgMar").get(W + "left") == "1440"

    def test_missing_font_role(self) -> None:
        """A font role without a family is an error that says where to set it."""
        with pytest.raises(ConfigError, match="config/config.yaml.*sans"):
            reference_docx({"serif": "Test Serif"})


def test_cli_uses_the_configured_fonts(tmp_path: Path) -> None:
    """`perrypress reference-docx` takes the families from config/config.yaml."""
    out = tmp_path / "reference.docx"
    assert cli.main(["--root", str(ROOT), "step", "reference-docx", "--out", str(out)]) == 0
    config = load_config(ROOT / "config" / "config.yaml", root=ROOT)
    styles = styles_by_name(out.read_bytes())
    assert styles["heading 1"].find(f"{W}rPr/{W}rFonts").get(W + "ascii") == config["fonts"]["sans"]["family"]

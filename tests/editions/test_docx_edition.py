"""The DOCX edition as a document the Perry Center's editors work in: styles, notes, properties, no machine traces."""

from __future__ import annotations

import getpass
import io
import os
import re
import socket
import struct
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from conftest import Project, build_env
from perrypress.editions.reference_docx import GOLD, NAVY
from readers import docx_footnotes, docx_text, docx_xml

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
W = "{%s}" % NS["w"]
SERIES_LINE = "Emerging Voices · 2024 Edition | No.\u00a01 (January)"  # pandoc keeps "No. 1" together


@pytest.fixture(scope="module")
def docx(built: Project) -> Path:
    """The built DOCX edition."""
    return built.edition("docx")


@pytest.fixture(scope="module")
def metadata(built: Project) -> dict:
    """report.qmd's YAML metadata."""
    return yaml.safe_load((built.root / "report.qmd").read_text(encoding="utf-8").split("---")[1])


@pytest.fixture(scope="module")
def fonts(built: Project) -> dict[str, str]:
    """The configured font families, by role."""
    config = yaml.safe_load((built.root / "config" / "config.yaml").read_text(encoding="utf-8"))
    return {role: font["family"] for role, font in config["fonts"].items()}


def xml(docx: Path, member: str) -> ET.Element:
    return ET.fromstring(docx_xml(docx, member))


def paragraphs(root: ET.Element) -> list[tuple[str, str]]:
    """(style id, text) of each paragraph, in order."""
    out = []
    for p in root.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        out.append((style.get(W + "val") if style is not None else "", "".join(t.text or "" for t in p.iter(W + "t"))))
    return out


class Styles:
    """styles.xml, with properties resolved through each style's basedOn chain."""

    def __init__(self, root: ET.Element) -> None:
        self.by_id = {s.get(W + "styleId"): s for s in root.iter(W + "style")}
        self.defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")

    def run_property(self, style_id: str, tag: str, attribute: str = "val") -> str | None:
        """The effective run property ``tag`` of a style (or the document default)."""
        style = self.by_id.get(style_id)
        while style is not None:
            found = style.find(f"{W}rPr/{W}{tag}")
            if found is not None:
                return found.get(W + attribute)
            parent = style.find(W + "basedOn")
            style = self.by_id.get(parent.get(W + "val")) if parent is not None else None
        found = self.defaults.find(W + tag)
        return found.get(W + attribute) if found is not None else None

    def font(self, style_id: str) -> str | None:
        return self.run_property(style_id, "rFonts", "ascii")


class TestStyles:
    """Every paragraph is in a named style the reference document defines, in the house fonts and colours."""

    def test_body_uses_pandocs_named_styles(self, docx: Path) -> None:
        """Title, headings, body text, block quote, captions, bibliography and notes use their named styles."""
        used = {style for style, _ in paragraphs(xml(docx, "word/document.xml"))}
        assert {"Title", "Subtitle", "Heading1", "Heading2", "BodyText", "FirstParagraph", "BlockText",
                "TableCaption", "ImageCaption", "CaptionedFigure", "Compact", "Bibliography"} <= used
        body = docx_xml(docx, "word/document.xml")
        assert 'w:rStyle w:val="FootnoteReference"' in body and 'w:rStyle w:val="Hyperlink"' in body

    def test_61_footnotes_in_footnote_text(self, docx: Path) -> None:
        """The 61 notes are Word footnotes, every paragraph of them in Footnote Text."""
        assert len(docx_footnotes(docx)) == 61
        notes = [n for n in xml(docx, "word/footnotes.xml").iter(W + "footnote") if int(n.get(W + "id")) > 0]
        assert len(notes) == 61
        assert {style for note in notes for style, _ in paragraphs(note)} == {"FootnoteText"}

    def test_every_used_style_is_defined(self, docx: Path) -> None:
        """No paragraph, character or table style is used without a definition (Word would fall back to Normal)."""
        defined = set(Styles(xml(docx, "word/styles.xml")).by_id)
        used = set()
        for member in ("word/document.xml", "word/footnotes.xml"):
            used |= set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', docx_xml(docx, member)))
        assert used - defined == set()

    def test_house_fonts(self, docx: Path, fonts: dict[str, str]) -> None:
        """Body and notes in the serif, headings, title block and captions in the sans."""
        styles = Styles(xml(docx, "word/styles.xml"))
        for style in ("BodyText", "FirstParagraph", "BlockText", "FootnoteText", "Bibliography", "Disclaimer"):
            assert styles.font(style) == fonts["serif"], style
        for style in ("Title", "Subtitle", "Heading1", "Heading2", "Heading3", "Caption", "TableCaption",
                      "ImageCaption", "SeriesLine", "Byline", "BackMatter"):
            assert styles.font(style) == fonts["sans"], style

    def test_house_colours_and_sizes(self, docx: Path) -> None:
        """Navy headings and title, a gold rule under the title, a gold series line, 10.5 pt body text."""
        styles = Styles(xml(docx, "word/styles.xml"))
        for style in ("Title", "Subtitle", "Heading1", "Heading2"):
            assert styles.run_property(style, "color") == NAVY, style
        assert styles.run_property("SeriesLine", "color") == GOLD
        rule = styles.by_id["Title"].find(f"{W}pPr/{W}pBdr/{W}bottom")
        assert rule is not None and rule.get(W + "color") == GOLD
        assert styles.run_property("BodyText", "sz") == "21"

    def test_us_letter_with_one_inch_margins(self, docx: Path) -> None:
        """The page is US Letter with 1 in margins, and notes are numbered through the document."""
        section = xml(docx, "word/document.xml").find(f"{W}body/{W}sectPr")
        size, margins = section.find(W + "pgSz"), section.find(W + "pgMar")
        assert (size.get(W + "w"), size.get(W + "h")) == ("12240", "15840")
        assert {margins.get(W + side) for side in ("top", "right", "bottom", "left")} == {"1440"}
        assert section.find(f"{W}footnotePr/{W}numRestart").get(W + "val") == "continuous"


class TestEmbeddedFonts:
    """The house fonts travel inside the file, as Word's obfuscated embedded-font parts."""

    FACES = {"embedRegular": "Regular", "embedBold": "Bold", "embedItalic": "Italic",
             "embedBoldItalic": "Bold Italic"}

    def test_four_faces_of_each_family(self, docx: Path, fonts: dict[str, str]) -> None:
        """Each house family has its four faces in the font table, each a static TrueType font of that family."""
        from fontTools.ttLib import TTFont

        from perrypress.editions.reference_docx import obfuscate

        table = xml(docx, "word/fontTable.xml")
        rels = {r.get("Id"): r.get("Target") for r in xml(docx, "word/_rels/fontTable.xml.rels")}
        r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        with zipfile.ZipFile(docx) as archive:
            for family in fonts.values():
                entry = table.find(f"{W}font[@{W}name='{family}']")
                embeds = {e.tag.removeprefix(W): e for e in entry if e.tag.removeprefix(W).startswith("embed")}
                assert list(embeds) == list(self.FACES), family
                for tag, embed in embeds.items():
                    stored = archive.read("word/" + rels[embed.get(r_id)])
                    font = TTFont(io.BytesIO(obfuscate(stored, embed.get(W + "fontKey"))))
                    assert stored[:32] != obfuscate(stored, embed.get(W + "fontKey"))[:32]
                    assert "fvar" not in font and "glyf" in font
                    assert (font["name"].getDebugName(1), font["name"].getDebugName(2)) == (family, self.FACES[tag])

    def test_word_told_to_use_them(self, docx: Path) -> None:
        """settings.xml asks for embedded TrueType fonts; .odttf parts have the obfuscated-font content type."""
        assert xml(docx, "word/settings.xml").find(W + "embedTrueTypeFonts") is not None
        types = docx_xml(docx, "[Content_Types].xml")
        assert 'Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"' in types

    def test_keys_are_distinct_guids(self, docx: Path) -> None:
        """Every face has its own fontKey GUID."""
        keys = [e.get(W + "fontKey") for e in xml(docx, "word/fontTable.xml").iter() if e.get(W + "fontKey")]
        assert len(keys) == 8 and len(set(keys)) == 8
        assert all(re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", k) for k in keys)


class TestFrontAndBackMatter:
    """The cover, the author's bio, the series statement and the disclaimer open the document; the credits close it."""

    def test_front_matter_in_order_and_styled(self, docx: Path, metadata: dict) -> None:
        """Series line, title, subtitle, byline, About the Author, bio, statement, disclaimer, then the body."""
        found = paragraphs(xml(docx, "word/document.xml"))
        assert found[:4] == [("SeriesLine", SERIES_LINE), ("Title", metadata["title"]),
                             ("Subtitle", metadata["subtitle"]), ("Byline", "By Zoe Nelson")]
        styles = [style for style, _ in found[4:9]]
        assert styles == ["Heading2", "AboutAuthor", "AboutAuthor", "SeriesStatement", "Disclaimer"]
        assert found[6][1].startswith("Zoe Nelson is an Academic Assistant")
        assert found[8][1].startswith("The views expressed in this article")
        assert found[9] == ("Heading1", "Introduction")

    def test_back_matter_last_and_styled(self, docx: Path) -> None:
        """The publisher, the credits, the web address and the back disclaimer are the last paragraphs."""
        found = paragraphs(xml(docx, "word/document.xml"))
        back = [text for style, text in found if style == "BackMatter"]
        assert found[-len(back):] == [("BackMatter", text) for text in back]
        assert back[0] == "William J. Perry Center for Hemispheric Defense Studies"
        assert "Editor: Luz Noguez" in back and "www.wjpcenter.org" in back
        assert back[-1].startswith("Emerging Voices is an original publication")

    def test_no_title_block_from_pandoc(self, docx: Path) -> None:
        """The title appears once (the cover), and no Author or Date paragraph repeats it."""
        found = paragraphs(xml(docx, "word/document.xml"))
        assert [style for style, _ in found].count("Title") == 1
        assert not {"Author", "Date"} & {style for style, _ in found}


class TestProperties:
    """File > Info in Word: title, author, subject, keywords, language and dates come from report.qmd's metadata."""

    def test_core_properties(self, docx: Path, metadata: dict) -> None:
        """Title and subtitle, the author's name, the series line as subject, the keywords, en-US."""
        core = xml(docx, "docProps/core.xml")
        value = lambda tag: core.findtext(tag, namespaces=NS)  # noqa: E731
        assert value("dc:title") == f"{metadata['title']}: {metadata['subtitle']}"
        assert value("dc:creator") == "Zoe Nelson"
        assert value("dc:subject") == SERIES_LINE
        assert value("cp:category") == "Emerging Voices"
        assert value("cp:keywords").split(", ") == metadata["keywords"]
        assert value("dc:language") == "en-US"

    def test_dates_from_source_date_epoch(self, docx: Path) -> None:
        """Created and modified are SOURCE_DATE_EPOCH, not the time of the build."""
        epoch = int(build_env()["SOURCE_DATE_EPOCH"])
        expected = datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        core = xml(docx, "docProps/core.xml")
        assert core.findtext("dcterms:created", namespaces=NS) == expected
        assert core.findtext("dcterms:modified", namespaces=NS) == expected

    def test_no_build_settings_as_custom_properties(self, docx: Path) -> None:
        """Build settings (mode, fonts, CSL path, bibliography file) are not written as custom properties."""
        custom = docx_xml(docx, "docProps/custom.xml")
        for key in ("build-mode", "serif-font", "csl", "bibliography", "nocite", "corrections"):
            assert f'name="{key}"' not in custom, key


class TestFigureAndTables:
    """Figure 1 at print resolution with alt text; tables with captions and header rows that repeat."""

    def test_figure_has_alt_text(self, docx: Path, built: Project) -> None:
        """Figure 1's description is its alt text, which states the data."""
        variables = yaml.safe_load((built.root / "_variables.yml").read_text(encoding="utf-8"))
        descriptions = [d.get("descr") for d in xml(docx, "word/document.xml").iter(f"{{{NS['wp']}}}docPr")]
        assert variables["figures"]["regions"]["alt"] in descriptions
        assert any("South America 8 %" in (d or "") for d in descriptions)

    def test_figure_is_a_300_dpi_png(self, docx: Path) -> None:
        """The embedded image is the print-resolution PNG (300 dpi, i.e. 11,811 pixels per metre)."""
        with zipfile.ZipFile(docx) as archive:
            images = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
        assert len(images) == 1 and images[0].startswith(b"\x89PNG")
        phys = images[0].index(b"pHYs")
        x, y, unit = struct.unpack(">IIB", images[0][phys + 4:phys + 13])
        assert (x, y, unit) == (11811, 11811, 1)

    def test_tables_have_captions_and_repeating_header_rows(self, docx: Path) -> None:
        """Every data table has a Table Caption before it and its first row marked to repeat on each page."""
        body = xml(docx, "word/document.xml").find(W + "body")
        children = list(body)
        tables = [i for i, e in enumerate(children) if e.tag == W + "tbl"
                  and e.find(f"{W}tblPr/{W}tblStyle").get(W + "val") == "Table"]
        assert len(tables) >= 2
        for index in tables:
            table = children[index]
            caption = next(e for e in reversed(children[:index]) if e.tag == W + "p")
            assert caption.find(f"{W}pPr/{W}pStyle").get(W + "val") == "TableCaption"
            assert table.find(f"{W}tblPr/{W}tblCaption") is not None
            rows = table.findall(W + "tr")
            assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
            assert all(row.find(f"{W}trPr/{W}tblHeader") is None for row in rows[1:])

    def test_no_row_breaks_across_pages(self, docx: Path) -> None:
        """Every row of every table is marked cantSplit, so no row is cut at a page break."""
        rows = list(xml(docx, "word/document.xml").iter(W + "tr"))
        assert len(rows) >= 10
        assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)

    def test_table_notes_and_source_in_the_small_style(self, docx: Path) -> None:
        """A table's notes and its source line are in the Table Note / Table Source styles, 8 pt as in the PDF."""
        found = paragraphs(xml(docx, "word/document.xml"))
        notes = [text for style, text in found if style == "TableNote"]
        sources = [text for style, text in found if style == "TableSource"]
        assert notes and sources and sources[0].startswith("Source: UNODC")
        styles = Styles(xml(docx, "word/styles.xml"))
        assert styles.run_property("TableNote", "sz") == styles.run_property("TableSource", "sz") == "16"
        italic = styles.by_id["TableSource"].find(f"{W}rPr/{W}i")
        assert italic is not None and italic.get(W + "val") in (None, "1", "true", "on")


class TestPhotoPlaceholder:
    """A missing photograph (draft) shows as the PDF's placeholder does: "Photograph to come", caption, credit."""

    def test_placeholder_caption_credit_in_order(self, docx: Path) -> None:
        """Each photo is a placeholder paragraph, its caption and its credit, in their styles."""
        found = paragraphs(xml(docx, "word/document.xml"))
        starts = [i for i, (style, _) in enumerate(found) if style == "PhotoPlaceholder"]
        assert len(starts) == 2
        for i in starts:
            assert found[i][1] == "Photograph to come"
            assert found[i + 1][0] == "PhotoCaption" and found[i + 1][1].startswith("Photo concept")
            assert found[i + 2][0] == "PhotoCredit" and found[i + 2][1]

    def test_caption_keeps_with_credit(self, docx: Path) -> None:
        """Placeholder and caption keep with the next paragraph, so the credit shares the caption's page."""
        styles = Styles(xml(docx, "word/styles.xml")).by_id
        for style in ("PhotoPlaceholder", "PhotoCaption"):
            found, keep = styles[style], None
            while keep is None and found is not None:
                keep = found.find(f"{W}pPr/{W}keepNext")
                parent = found.find(W + "basedOn")
                found = styles.get(parent.get(W + "val")) if parent is not None else None
            assert keep is not None and keep.get(W + "val") in (None, "1", "true", "on"), style

    def test_no_file_path_anywhere(self, docx: Path) -> None:
        """No image path or file name appears in the body or the notes, and no one-cell figure table is left."""
        text = docx_text(docx) + "\n".join(docx_footnotes(docx))
        assert "/images/" not in text and ".jpg" not in text
        assert "FigureTable" not in docx_xml(docx, "word/document.xml")


def machine_names(root: Path) -> set[str]:
    """The user and host names, unless too short to search for or in the paper's own text."""
    names = {getpass.getuser(), socket.gethostname()}
    try:
        names.add(os.getlogin())
    except OSError:
        pass
    sources = " ".join(p.read_text(encoding="utf-8") for p in [root / "report.qmd", *root.glob("sections/*.qmd")])
    return {n for n in names if len(n) >= 3 and n.lower() not in sources.lower()}


def test_no_build_machine_traces(docx: Path, built: Project) -> None:
    """No XML part names the build folder, the toolchain's folder, a temporary folder, the user or the host."""
    needles = {str(built.root), str(built.root.resolve()), sys.prefix, "/tmp/", "pytest-of", *machine_names(built.root)}
    with zipfile.ZipFile(docx) as archive:
        parts = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
        assert "docProps/custom.xml" in parts and "docProps/core.xml" in parts
        for name in parts:
            text = archive.read(name).decode("utf-8")
            found = [n for n in needles if n in text]
            assert not found, f"{name} contains {found}"

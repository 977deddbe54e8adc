"""Write the DOCX edition's reference document: pandoc's own, restyled in the Perry Center's house style.

pandoc takes every paragraph, character and table style of the DOCX edition,
its page size and margins, theme and font table from this file
(``reference-doc:`` in pandoc/defaults/docx.yaml). The house style lives here
as code: the colours, sizes and spacing below; the font families come from
config/config.yaml (``fonts``), the same ones the PDF edition embeds. The
fonts themselves travel inside the file as Word's embedded-font parts
(``word/fonts/*.odttf``, obfuscated with a key per font as ECMA-376 says;
the fonts are SIL OFL, which allows it): static Regular, Bold, Italic and Bold
Italic instances of the variable fonts (fonts.py), so Word and LibreOffice
show the house fonts on a machine without them. pandoc copies these parts,
their relationships and ``w:embedTrueTypeFonts`` from the reference document
into the edition.
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from .. import toolchain
from ..errors import BuildError, ConfigError
from . import fonts as font_instances

log = logging.getLogger(__name__)

# The house style: the Perry Center's colours (as in pandoc/templates/perry.typ and
# pandoc/html/perry.css), sizes in points, lengths in inches.
NAVY = "13294B"
GOLD = "B48C3C"
GREY = "5B6470"
RULE_GREY = "B3B3B3"
BODY_PT = 10.5
FOOTNOTE_PT = 9  # a point above the PDF's 8 pt: this edition is read and edited on screen
TABLE_PT = 8.5
TABLE_NOTE_PT = 8  # as the PDF's table notes and source lines
PAGE_IN = (8.5, 11.0)  # US Letter
MARGIN_IN = 1.0

# Word reads a ZIP entry's date as local time; a fixed date keeps the bytes reproducible.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FONT_ROLES = ("serif", "sans")

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
W = "{%s}" % NS["w"]
A = "{%s}" % NS["a"]
R = "{%s}" % NS["r"]
ET.register_namespace("r", NS["r"])  # the font table's r:id, which pandoc's part does not declare

# Embedded fonts: Word's element for each face, its part's content type and relationship type.
EMBED_TAGS = {"Regular": "embedRegular", "Bold": "embedBold", "Italic": "embedItalic", "Bold Italic": "embedBoldItalic"}
FONT_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FONT_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
# Names the deterministic font keys (uuid5): the same font bytes always get the same key.
FONT_KEY_NAMESPACE = uuid.UUID("6f1e4a52-8c1b-5d2e-9a63-7e0c2b4d9f10")
SETTINGS_ORDER = ["writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                  "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                  "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                  "saveSubsetFonts"]


@dataclass(frozen=True)
class EmbeddedFont:
    """One face of a family as a Word embedded-font part."""

    family: str
    style: str      # "Regular", "Bold", "Italic", "Bold Italic"
    part: str       # e.g. word/fonts/source-serif-4-bold.odttf
    key: str        # the fontKey GUID, "{XXXXXXXX-…}"
    data: bytes     # the obfuscated font


@dataclass(frozen=True)
class Rule:
    """A paragraph or cell border: colour, width and distance from the text in points."""

    color: str
    width: float
    space: float = 0


@dataclass(frozen=True)
class Look:
    """How one Word style looks; ``None`` keeps what pandoc's reference document says."""

    based_on: str | None = None   # name of the parent style
    font: str | None = None       # a role in config["fonts"]: "serif" or "sans"
    size: float | None = None     # points
    bold: bool | None = None
    italic: bool | None = None
    caps: bool | None = None
    underline: bool | None = None
    superscript: bool | None = None
    color: str | None = None      # hex RGB
    tracking: float | None = None  # letter spacing, points
    align: str | None = None      # "left", "center", "both" (justified)
    before: float | None = None   # space before, points
    after: float | None = None    # space after, points
    line: float | None = None     # line spacing, multiple of single
    indent: tuple[float, float] | None = None  # left and right indent, inches
    hanging: float | None = None  # hanging indent, inches
    keep_next: bool | None = None
    border_top: Rule | None = None
    border_bottom: Rule | None = None


# Paragraph styles pandoc uses, and those the front and back matter name with
# ``custom-style`` (pandoc/filters/front-back-matter.lua, docx-properties.lua).
PARAGRAPH_STYLES: dict[str, Look] = {
    "Body Text": Look(before=0, after=6, line=1.15, align="left"),
    "First Paragraph": Look(),
    "Compact": Look(before=1, after=1, line=1.0),
    "Series Line": Look(based_on="Normal", font="sans", size=10, bold=True, caps=True, tracking=0.6,
                        color=GOLD, after=18, keep_next=True),
    "Title": Look(based_on="Normal", font="sans", size=24, bold=True, color=NAVY, align="left", before=0,
                  after=10, line=1.0, keep_next=True, border_bottom=Rule(GOLD, 1.5, 6)),
    "Subtitle": Look(based_on="Normal", font="sans", size=15, bold=False, color=NAVY, tracking=0, align="left",
                     before=4, after=14, line=1.05, keep_next=True),
    "Author": Look(based_on="Normal", font="sans", size=12, bold=False, color=NAVY, align="left", after=4),
    "Byline": Look(based_on="Normal", font="sans", size=12, color=NAVY, before=0, after=30),
    "Date": Look(based_on="Normal", font="sans", size=10, bold=False, color=GREY, align="left", after=4),
    "Heading 1": Look(font="sans", size=14, bold=True, color=NAVY, before=18, after=8, keep_next=True),
    "Heading 2": Look(font="sans", size=11.5, bold=True, color=NAVY, before=12, after=6, keep_next=True),
    "Heading 3": Look(font="sans", size=BODY_PT, bold=True, italic=True, color=NAVY, before=10, after=4,
                      keep_next=True),
    "About Author": Look(based_on="Body Text", size=10),
    "Series Statement": Look(based_on="Body Text", size=10, before=12, border_top=Rule(RULE_GREY, 0.5, 6)),
    "Disclaimer": Look(based_on="Body Text", size=10, italic=True),
    "Back Matter": Look(based_on="Normal", font="sans", size=9, before=2, after=2, line=1.1,
                        border_top=Rule(GOLD, 1, 8)),
    "Block Text": Look(size=9.5, before=4, after=8, indent=(0.4, 0.4), align="left"),
    "Footnote Text": Look(size=FOOTNOTE_PT, before=0, after=2, line=1.0, align="left"),
    "Caption": Look(font="sans", size=9, italic=False, before=4, after=10, line=1.0),
    "Table Caption": Look(before=12, after=4, keep_next=True),
    "Image Caption": Look(before=4, after=12),
    "Figure": Look(align="center", before=10, after=2),
    "Bibliography": Look(size=10, after=6, line=1.0, indent=(0.5, 0), hanging=0.5, align="left"),
    # A table's notes and source line, small as in the PDF (docx-styles.lua).
    "Table Note": Look(based_on="Normal", size=TABLE_NOTE_PT, before=2, after=2, line=1.0, align="left"),
    "Table Source": Look(based_on="Table Note", italic=True, after=12),
    # A photo block (photo.lua): image or placeholder, caption and credit kept together on one page.
    "Photo": Look(based_on="Normal", align="center", before=10, after=4, keep_next=True),
    "Photo Placeholder": Look(based_on="Photo", font="sans", size=9, color=GREY, before=12, after=6,
                              border_top=Rule(RULE_GREY, 0.5, 24), border_bottom=Rule(RULE_GREY, 0.5, 24)),
    "Photo Caption": Look(based_on="Normal", size=8.5, italic=True, after=2, line=1.0, align="left",
                          keep_next=True),
    "Photo Credit": Look(based_on="Normal", size=7.5, color=GREY, after=12, line=1.0, align="left"),
}

CHARACTER_STYLES: dict[str, Look] = {
    "Hyperlink": Look(color=NAVY, underline=False),
    "Footnote Reference": Look(superscript=True),
}

# pandoc's table style "Table": rules as in the PDF edition, a navy rule under the header row.
TABLE_STYLE = "Table"
TABLE_LOOK = Look(size=TABLE_PT)
TABLE_HEADER_LOOK = Look(font="sans", bold=True)
TABLE_HEADER_RULE = Rule(NAVY, 0.75)
TABLE_ROW_RULE = Rule(RULE_GREY, 0.25)
TABLE_CELL_MARGIN_PT = (2, 4)  # top and bottom, left and right

# Element order in the WordprocessingML schema: Word rejects a file whose properties are out of order.
STYLE_ORDER = ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
               "semiHidden", "unhideWhenUsed", "qFormat", "locked", "rsid", "pPr", "rPr", "tblPr", "trPr",
               "tcPr", "tblStylePr"]
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr"]
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
             "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
             "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]
TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]
TCPR_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
              "textDirection", "tcFitText", "vAlign", "hideMark"]
BORDER_ORDER = ["top", "left", "start", "bottom", "right", "end", "between", "insideH", "insideV", "bar"]


def reference_docx(fonts: dict[str, str], *, embed: dict[str, list[Path]] | None = None) -> bytes:
    """Return the reference document for the font families ``fonts`` (role → family name).

    ``embed`` gives each role's font files (upright and italic variable fonts) to embed; None embeds nothing.
    """
    missing = [role for role in FONT_ROLES if not fonts.get(role)]
    if missing:
        raise ConfigError("config/config.yaml", f"fonts: no family for {', '.join(missing)}",
                          "give each of fonts.serif and fonts.sans a family")
    parts = _pandoc_reference()
    embedded = embedded_fonts(fonts, embed or {})
    edits: dict[str, Callable[[bytes], bytes]] = {
        "word/styles.xml": lambda data: _edit_xml(data, lambda root: _restyle(root, fonts)),
        "word/theme/theme1.xml": lambda data: _edit_xml(data, lambda root: _retheme(root, fonts)),
        "word/fontTable.xml": lambda data: _edit_xml(data, lambda root: _add_fonts(root, fonts, embedded)),
        "word/document.xml": lambda data: _edit_xml(data, _page_setup),
        "docProps/core.xml": lambda _: CORE_XML,
        "docProps/app.xml": lambda _: APP_XML,
    }
    if embedded:
        edits |= {
            "word/settings.xml": lambda data: _edit_xml(data, _embed_setting),
            "[Content_Types].xml": _font_content_type,
        }
        parts["word/_rels/fontTable.xml.rels"] = _font_relationships(embedded)
        parts |= {font.part: font.data for font in embedded}
    for name, edit in edits.items():
        parts[name] = edit(parts[name])
    return _zip(parts)


def write_reference_docx(output: Path, *, fonts: dict[str, str], embed: dict[str, list[Path]] | None = None) -> None:
    """Write the reference document to ``output``, embedding the font files ``embed`` gives per role."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(reference_docx(fonts, embed=embed))
    log.info("%s: reference document, body %s / headings %s, %d embedded faces", output, fonts["serif"],
             fonts["sans"], sum(2 for files in (embed or {}).values() for _ in files))


def obfuscate(font: bytes, key: str) -> bytes:
    """Obfuscate (or de-obfuscate: it is its own inverse) a font with its fontKey GUID (ECMA-376 Part 1, 17.8.1).

    The GUID's 32 hex digits, read as 16 bytes in reverse order, are XORed over the font's first 32 bytes.
    """
    digits = re.sub(r"[{}-]", "", key)
    if len(digits) != 32:
        raise ValueError(f"not a GUID: {key!r}")
    mask = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def embedded_fonts(fonts: dict[str, str], embed: dict[str, list[Path]]) -> list[EmbeddedFont]:
    """Each configured family's four faces, from its upright and italic font files, obfuscated for Word."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO lists every glyph
    out: list[EmbeddedFont] = []
    for role in FONT_ROLES:
        family = fonts[role]
        for source in embed.get(role, []):
            for style, font in font_instances.word_fonts(source, family=family).items():
                if any(f.family == family and f.style == style for f in out):
                    raise BuildError(f"config/config.yaml: fonts.{role}: two font files give {family} {style} "
                                     "— use a package with one variable font per style")
                key = "{%s}" % str(uuid.uuid5(FONT_KEY_NAMESPACE, f"{family}/{style}/{font.hex()}")).upper()
                slug = re.sub(r"[^a-z0-9]+", "-", f"{family} {style}".lower()).strip("-")
                out.append(EmbeddedFont(family, style, f"word/fonts/{slug}.odttf", key, obfuscate(font, key)))
    return out


def _font_relationships(embedded: list[EmbeddedFont]) -> bytes:
    """word/_rels/fontTable.xml.rels: one relationship per embedded face, rId1… in order."""
    rels = "".join(f'<Relationship Id="rId{i}" Type="{FONT_RELATIONSHIP}" Target="{f.part.removeprefix("word/")}"/>'
                   for i, f in enumerate(embedded, start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>").encode("utf-8")


def _font_content_type(data: bytes) -> bytes:
    """[Content_Types].xml with the obfuscated-font type for .odttf parts."""
    if b'Extension="odttf"' in data:
        return data
    return data.replace(b"</Types>", f'<Default Extension="odttf" ContentType="{FONT_CONTENT_TYPE}"/></Types>'
                        .encode("utf-8"))


def _embed_setting(root: ET.Element) -> None:
    """settings.xml: tell Word the document carries its TrueType fonts, and only the characters they need."""
    _put(root, _el("embedTrueTypeFonts"), SETTINGS_ORDER)
    _put(root, _el("saveSubsetFonts"), SETTINGS_ORDER)


def _pandoc_reference() -> dict[str, bytes]:
    """Return the parts of the reference.docx that ships inside the pinned pandoc."""
    result = subprocess.run([toolchain.pandoc_path(), "--print-default-data-file", "reference.docx"],
                            capture_output=True)
    if result.returncode != 0 or not result.stdout:
        raise BuildError(f"pandoc --print-default-data-file reference.docx: {result.stderr.decode(errors='replace')}")
    with zipfile.ZipFile(io.BytesIO(result.stdout)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    """Pack ``parts`` with sorted names and fixed dates, so equal parts give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, parts[name])
    return buffer.getvalue()


def _edit_xml(data: bytes, edit: Callable[[ET.Element], None]) -> bytes:
    """Parse an XML part, apply ``edit`` to its root, and serialise it with the part's own prefixes."""
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(data), events=["start-ns"]):
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(data)
    edit(root)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                                     xml_declaration=False)


def _el(tag: str, children: list[ET.Element] | None = None, **attrs: str) -> ET.Element:
    """A ``w:`` element with ``w:`` attributes."""
    element = ET.Element(W + tag, {W + key: value for key, value in attrs.items()})
    element.extend(children or [])
    return element


def _put(parent: ET.Element, child: ET.Element, order: list[str]) -> ET.Element:
    """Replace ``parent``'s child of the same tag with ``child``, at its place in the schema ``order``."""
    tag = child.tag.removeprefix(W)
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = order.index(tag) if tag in order else len(order)
    index = next((i for i, c in enumerate(parent) if c.tag.removeprefix(W) in order
                  and order.index(c.tag.removeprefix(W)) > rank), len(parent))
    parent.insert(index, child)
    return child


def _child(parent: ET.Element, tag: str, order: list[str]) -> ET.Element:
    """``parent``'s child ``tag``, created at its place in ``order`` if missing."""
    found = parent.find(W + tag)
    return found if found is not None else _put(parent, _el(tag), order)


def _twips(points: float) -> str:
    return str(round(points * 20))


def _border(side: str, rule: Rule) -> ET.Element:
    return _el(side, val="single", sz=str(round(rule.width * 8)), space=str(round(rule.space)), color=rule.color)


def _on(flag: bool) -> dict[str, str]:
    return {} if flag else {"val": "0"}


def _run_properties(rpr: ET.Element, look: Look, fonts: dict[str, str]) -> None:
    """Set the character properties ``look`` gives."""
    if look.font:
        family = fonts[look.font]
        _put(rpr, _el("rFonts", ascii=family, hAnsi=family, cs=family, eastAsiaTheme="minorEastAsia"), RPR_ORDER)
    for flag, tags in ((look.bold, ("b", "bCs")), (look.italic, ("i", "iCs")), (look.caps, ("caps",))):
        if flag is not None:
            for tag in tags:
                _put(rpr, _el(tag, **_on(flag)), RPR_ORDER)
    if look.color:
        _put(rpr, _el("color", val=look.color), RPR_ORDER)
    if look.tracking is not None:
        _put(rpr, _el("spacing", val=_twips(look.tracking)), RPR_ORDER)
    if look.size is not None:
        for tag in ("sz", "szCs"):
            _put(rpr, _el(tag, val=str(round(look.size * 2))), RPR_ORDER)
    if look.underline is not None:
        _put(rpr, _el("u", val="single" if look.underline else "none"), RPR_ORDER)
    if look.superscript is not None:
        _put(rpr, _el("vertAlign", val="superscript" if look.superscript else "baseline"), RPR_ORDER)


def _paragraph_properties(ppr: ET.Element, look: Look) -> None:
    """Set the paragraph properties ``look`` gives."""
    if look.keep_next is not None:
        _put(ppr, _el("keepNext", **_on(look.keep_next)), PPR_ORDER)
    borders = [_border(side, rule) for side, rule in (("top", look.border_top), ("bottom", look.border_bottom))
               if rule]
    if borders:
        _put(ppr, _el("pBdr", borders), PPR_ORDER)
    spacing = {key: _twips(value) for key, value in (("before", look.before), ("after", look.after))
               if value is not None}
    if look.line is not None:
        spacing |= {"line": str(round(look.line * 240)), "lineRule": "auto"}
    if spacing:
        old = ppr.find(W + "spacing")
        merged = {k.removeprefix(W): v for k, v in (old.attrib.items() if old is not None else [])} | spacing
        _put(ppr, _el("spacing", **merged), PPR_ORDER)
    if look.indent is not None or look.hanging is not None:
        left, right = look.indent or (0, 0)
        indent = {"left": _twips(left * 72), "right": _twips(right * 72)}
        indent |= {"hanging": _twips(look.hanging * 72)} if look.hanging else {"firstLine": "0"}
        _put(ppr, _el("ind", **indent), PPR_ORDER)
    if look.align:
        _put(ppr, _el("jc", val=look.align), PPR_ORDER)


def _style_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name)


def _style(root: ET.Element, name: str, kind: str) -> ET.Element:
    """The style named ``name`` (Word's names are case-insensitive), added as a custom style if missing."""
    for style in root.findall(W + "style"):
        found = style.find(W + "name")
        if style.get(W + "type") == kind and found is not None and found.get(W + "val", "").lower() == name.lower():
            return style
    style = _el("style", [_el("name", val=name), _el("qFormat")], type=kind, customStyle="1", styleId=_style_id(name))
    root.append(style)
    return style


def _apply(root: ET.Element, style: ET.Element, look: Look, fonts: dict[str, str]) -> None:
    """Give ``style`` (and its linked character style) the ``look``."""
    if look.based_on:
        _put(style, _el("basedOn", val=_style(root, look.based_on, "paragraph").get(W + "styleId")), STYLE_ORDER)
    if style.get(W + "type") == "paragraph":
        _paragraph_properties(_child(style, "pPr", STYLE_ORDER), look)
    _run_properties(_child(style, "rPr", STYLE_ORDER), look, fonts)
    link = style.find(W + "link")
    if link is not None and style.get(W + "type") == "paragraph":
        # Word shows a linked character style where the paragraph style is applied to part of a paragraph.
        # pandoc's Caption points at Body Text's, which does not point back: leave that one alone.
        linked = root.find(f"{W}style[@{W}styleId='{link.get(W + 'val')}']")
        back = linked.find(W + "link") if linked is not None else None
        if back is not None and back.get(W + "val") == style.get(W + "styleId"):
            _run_properties(_child(linked, "rPr", STYLE_ORDER), look, fonts)


def _restyle(root: ET.Element, fonts: dict[str, str]) -> None:
    """Apply the house style to styles.xml."""
    defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    _run_properties(defaults, Look(font="serif", size=BODY_PT), fonts)
    paragraph_defaults = root.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
    _paragraph_properties(paragraph_defaults, Look(before=0, after=0))
    for name, look in PARAGRAPH_STYLES.items():
        _apply(root, _style(root, name, "paragraph"), look, fonts)
    for name, look in CHARACTER_STYLES.items():
        _apply(root, _style(root, name, "character"), look, fonts)
    _restyle_table(root, _style(root, TABLE_STYLE, "table"), fonts)
    # pandoc lays out a figure that is not an image in a one-cell "FigureTable": defined here without
    # rules, so it would not fall back on the data tables' default style.
    _style(root, "Figure Table", "table")


def _restyle_table(root: ET.Element, style: ET.Element, fonts: dict[str, str]) -> None:
    """Rules and cell margins of the table style, its header row in bold sans over a navy rule."""
    _run_properties(_child(style, "rPr", STYLE_ORDER), TABLE_LOOK, fonts)
    tblpr = _child(style, "tblPr", STYLE_ORDER)
    _put(tblpr, _el("tblBorders", [_border("bottom", TABLE_ROW_RULE), _border("insideH", TABLE_ROW_RULE)]),
         TBLPR_ORDER)
    vertical, horizontal = (str(round(p * 20)) for p in TABLE_CELL_MARGIN_PT)
    _put(tblpr, _el("tblCellMar", [_el(side, w=size, type="dxa") for side, size in
                                   (("top", vertical), ("left", horizontal), ("bottom", vertical),
                                    ("right", horizontal))]), TBLPR_ORDER)
    for old in style.findall(W + "tblStylePr"):
        style.remove(old)
    header = _el("tblStylePr", type="firstRow")
    rpr = _el("rPr")
    _run_properties(rpr, TABLE_HEADER_LOOK, fonts)
    header.extend([rpr, _el("tcPr", [_el("tcBorders", [_border("bottom", TABLE_HEADER_RULE)]),
                                     _el("vAlign", val="bottom")])])
    style.append(header)


def _retheme(root: ET.Element, fonts: dict[str, str]) -> None:
    """Theme fonts and colours: what Word offers as "Headings"/"Body" fonts and theme colours."""
    scheme = root.find(f"{A}themeElements/{A}fontScheme")
    for kind, role in (("majorFont", "sans"), ("minorFont", "serif")):
        latin = scheme.find(f"{A}{kind}/{A}latin")
        latin.attrib.clear()
        latin.set("typeface", fonts[role])
    colors = root.find(f"{A}themeElements/{A}clrScheme")
    for slot, value in (("dk2", NAVY), ("accent1", NAVY), ("accent2", GOLD), ("hlink", NAVY)):
        slot_element = colors.find(A + slot)
        slot_element.clear()
        ET.SubElement(slot_element, A + "srgbClr", {"val": value})


def _add_fonts(root: ET.Element, fonts: dict[str, str], embedded: list[EmbeddedFont]) -> None:
    """Name the house fonts in the font table, with a generic family for Word to substitute, and their embedded faces."""
    generic = {"serif": "roman", "sans": "swiss"}
    ids = {id(f): f"rId{i}" for i, f in enumerate(embedded, start=1)}
    for role in FONT_ROLES:
        for old in root.findall(f"{W}font[@{W}name='{fonts[role]}']"):
            root.remove(old)
        font = _el("font", [_el("family", val=generic[role]), _el("pitch", val="variable")], name=fonts[role])
        faces = {f.style: f for f in embedded if f.family == fonts[role]}
        for style, tag in EMBED_TAGS.items():  # the schema's order: Regular, Bold, Italic, Bold Italic
            if style in faces:
                font.append(ET.Element(W + tag, {R + "id": ids[id(faces[style])], W + "fontKey": faces[style].key}))
        root.append(font)


def _page_setup(root: ET.Element) -> None:
    """US Letter, one-inch margins, notes numbered through: pandoc copies the reference's section properties."""
    sectpr = root.find(f"{W}body/{W}sectPr")
    order = ["footnotePr", "endnotePr", "type", "pgSz", "pgMar"]
    # pandoc's "eachSect" makes LibreOffice restart the notes at every Heading 1.
    _put(sectpr, _el("footnotePr", [_el("numRestart", val="continuous")]), order)
    width, height = (_twips(inches * 72) for inches in PAGE_IN)
    margin = _twips(MARGIN_IN * 72)
    _put(sectpr, _el("pgSz", w=width, h=height), order)
    _put(sectpr, _el("pgMar", top=margin, right=margin, bottom=margin, left=margin, header="720", footer="720",
                     gutter="0"), order)


# The reference document's own properties: pandoc writes the edition's from report.qmd's metadata.
CORE_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>perrypress reference document</dc:title>'
            b'</cp:coreProperties>')
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           b'<Application>perrypress</Application><DocSecurity>0</DocSecurity></Properties>')

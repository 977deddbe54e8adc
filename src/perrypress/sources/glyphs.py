"""Check that the PDF edition can print every character of the sources in the house fonts.

Typst embeds only the configured fonts (PDF/A): a character none of them has (Chinese
in a Latin font, an emoji) stops the PDF step with an error that names its generated
``.typ`` file, while the HTML and DOCX editions fall back to the reader's fonts and show
it. So the document check reads the sources first and names the line: a character is
printable when one of the configured families (``fonts:`` in config/config.yaml — serif
for the text, sans for headings, captions and tables) has it, as Typst falls back from one
to the other (a character only one family has is printed in that family).

The coverage of the fonts is read with fontTools once per machine and kept in the font
cache's folder (editions/font_cache.py), under the digest of the font files.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import DocumentError, SourceError
from .utf8 import read_source

# Spaces, line and paragraph separators, controls and format characters (soft hyphen, joiners,
# the byte-order mark): Typst sets or drops them without a glyph.
UNPRINTED = {"Zs", "Zl", "Zp", "Cc", "Cf"}
SHOWN = 4  # characters named in one error


def _families(fonts: dict[str, dict[str, str]]) -> dict[str, list[Path]]:
    from ..toolchain import font_dirs

    return {font["family"]: sorted(p for p in folder.iterdir() if p.suffix.lower() in {".ttf", ".otf"})
            for font, folder in zip(fonts.values(), font_dirs(fonts))}


def _coverage(families: dict[str, list[Path]]) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(code for files in families.values() for path in files
                     for code in TTFont(path, lazy=True).getBestCmap() or {})


@cache
def coverage(fonts_json: str) -> frozenset[int]:
    """The code points the configured families have (``fonts_json``: the config's ``fonts:``, as JSON)."""
    from ..editions import font_cache

    families = _families(json.loads(fonts_json))
    files = [path for paths in families.values() for path in paths]
    folder = font_cache.cache_dir()
    if folder is None:
        return _coverage(families)
    # Named by the fonts' bytes and this module's (no fontTools import when it is found: the steps stay light).
    name = hashlib.sha256(json.dumps([sorted(families), [font_cache.file_digest(p) for p in files],
                                      font_cache.file_digest(Path(__file__))]).encode("utf-8")).hexdigest()
    entry = folder / "coverage" / f"{name}.json"
    try:
        return frozenset(json.loads(entry.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    covered = _coverage(families)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        font_cache.write_atomic(entry, json.dumps(sorted(covered)).encode("utf-8"))
    except OSError:  # a read-only cache: read the fonts again next time
        pass
    return covered


def unprintable(text: str, covered: frozenset[int]) -> list[str]:
    """The distinct characters of ``text`` the fonts lack, in order of appearance."""
    return list(dict.fromkeys(c for c in text if ord(c) not in covered and ord(c) > 0x7E
                              and unicodedata.category(c) not in UNPRINTED))


def check_glyphs(files: list[Path], config: dict[str, Any]) -> list[SourceError]:
    """One error per line of ``files`` (the report, what it includes, the bibliography) that holds a character
    the PDF edition's fonts lack; none when the paper has no PDF edition."""
    if "pdf" not in config.get("editions", ["pdf"]):
        return []
    covered = coverage(json.dumps(config["fonts"], sort_keys=True))
    families = ", ".join(font["family"] for font in config["fonts"].values())
    errors: list[SourceError] = []
    for path in files:
        for number, line in enumerate(read_source(path).splitlines(), start=1):
            missing = unprintable(line, covered)
            if missing:
                named = ", ".join(f'"{c}" (U+{ord(c):04X})' for c in missing[:SHOWN])
                more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
                errors.append(DocumentError(
                    path, f"the PDF edition's fonts ({families}) have no {named}{more}",
                    "write it in the Latin alphabet (a transliteration) or leave it out; or choose fonts "
                    "that have it under fonts: in config/config.yaml", line=number))
    return errors

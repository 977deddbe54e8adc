"""The PDF edition's fonts: a character no configured family has is an error at its line, before any edition."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from perrypress.sources.glyphs import check_glyphs, coverage, unprintable

FONTS = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["fonts"]


@pytest.fixture(scope="module")
def covered() -> frozenset[int]:
    return coverage(json.dumps(FONTS, sort_keys=True))


def test_the_house_fonts_cover_the_papers_languages(covered: frozenset[int]) -> None:
    """Spanish, Portuguese and French letters, typographic punctuation, Greek and Cyrillic are printable."""
    assert unprintable("Bogotá, São Paulo, Cúcuta, œuvre, “quoted” — 8 % ½ € № λ Ж", covered) == []


def test_a_character_one_family_has_is_printable(covered: frozenset[int]) -> None:
    """Typst falls back from the serif to the sans: Ĭ (only Source Sans 3 has it) prints."""
    assert unprintable("Ĭ", covered) == []


def test_characters_no_family_has_are_named_once_each(covered: frozenset[int]) -> None:
    assert unprintable("网络 网 😀", covered) == ["网", "络", "😀"]


def test_spaces_and_format_characters_need_no_glyph(covered: frozenset[int]) -> None:
    assert unprintable("a\u00ad\u200b\u2009\u202f\ufeffb\t", covered) == []


def test_each_line_is_named_with_its_characters(tmp_path: Path) -> None:
    section = tmp_path / "sections" / "01.qmd"
    section.parent.mkdir()
    section.write_text("Fine text.\nThe words 网络 and 😀 and ☃ and 🌍 and 🎉.\n", encoding="utf-8")
    config = {"fonts": FONTS, "editions": ["pdf", "html"]}
    [error] = check_glyphs([section], config)
    assert error.line == 2 and '"网" (U+7F51)' in str(error) and "and 2 more" in str(error)
    assert check_glyphs([section], {**config, "editions": ["html", "docx"]}) == []  # no PDF

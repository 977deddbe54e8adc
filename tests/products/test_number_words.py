"""Number words: whole numbers from 0 to 100 spelled out in the paper's language, others in figures."""

from __future__ import annotations

import re

import pytest

from perrypress.products.number_words import figure, languages, spell


@pytest.mark.parametrize(("value", "words"), [(0, "zero"), (2, "two"), (11, "eleven"), (21, "twenty-one"),
                                              (40, "forty"), (94, "ninety-four"), (100, "one hundred")])
def test_english(value: float, words: str) -> None:
    """English: one word to nineteen, tens and units hyphenated, "one hundred"."""
    assert spell(value, "en") == words


@pytest.mark.parametrize(("value", "words"), [
    (0, "cero"), (1, "uno"), (8, "ocho"), (15, "quince"), (16, "dieciséis"), (20, "veinte"), (21, "veintiuno"),
    (22, "veintidós"), (23, "veintitrés"), (26, "veintiséis"), (29, "veintinueve"), (30, "treinta"),
    (31, "treinta y uno"), (47, "cuarenta y siete"), (94, "noventa y cuatro"), (99, "noventa y nueve"),
    (100, "cien")])
def test_spanish(value: float, words: str) -> None:
    """Spanish: one word to veintinueve (accents on dieciséis, veintidós …), then tens "y" units, "cien"."""
    assert spell(value, "es") == words


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_number_to_one_hundred(language: str) -> None:
    """Each of 0–100 has its own words, with no doubled or stray spaces."""
    spelled = [spell(n, language) for n in range(101)]
    assert len(set(spelled)) == 101
    assert all(re.fullmatch(r"[a-zñáéíóú]+([ -][a-zñáéíóú]+)*", w) for w in spelled)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("value", "shown"), [(8.5, "8.5"), (101, "101"), (-3, "-3"), (2.0, "two")])
def test_others_stay_in_figures(language: str, value: float, shown: str) -> None:
    """Fractions, negative numbers and numbers over 100 stay figures; 2.0 is the whole number two."""
    assert spell(value, language) == (shown if shown != "two" else {"en": "two", "es": "dos"}[language])


def test_figures_take_the_papers_decimal_mark() -> None:
    """A figure prints without a trailing .0, with the decimal mark asked for."""
    assert figure(87.0) == "87"
    assert figure(8.5) == "8.5"
    assert figure(8.5, decimal_mark=",") == "8,5"
    assert spell(12.5, "es", decimal_mark=",") == "12,5"


def test_languages() -> None:
    """English and Spanish to start."""
    assert languages() == ["en", "es"]

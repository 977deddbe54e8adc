"""Whole numbers from 0 to 100 in words, in the paper's language ("ninety-four", "noventa y cuatro").

Chicago style spells out whole numbers up to one hundred; any other number
(a fraction, a negative number, 101 and up) stays in figures, as the prose
prints it. One speller per language, chosen by the language part of
report.qmd's ``lang:`` ('es-ES' → 'es'); a language without one is a
DocumentError naming the languages there are.
"""

from __future__ import annotations

from collections.abc import Callable

_EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# Spanish (RAE, Ortografía 2010): 0–29 are one word each ("dieciséis", "veintidós"); from 31 on,
# tens "y" units ("treinta y uno"). The full forms ("uno", "veintiuno"), as a number is named
# on its own ("el veintiuno por ciento"); 100 is "cien".
_ES_ONES = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez",
            "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve",
            "veinte", "veintiuno", "veintidós", "veintitrés", "veinticuatro", "veinticinco", "veintiséis",
            "veintisiete", "veintiocho", "veintinueve"]
_ES_TENS = ["", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"]


def _english(n: int) -> str:
    """0–100 in English words, tens and units hyphenated ('twenty-one')."""
    if n < 20:
        return _EN_ONES[n]
    if n == 100:
        return "one hundred"
    tens, ones = divmod(n, 10)
    return _EN_TENS[tens] + ("" if ones == 0 else "-" + _EN_ONES[ones])


def _spanish(n: int) -> str:
    """0–100 in Spanish words ('veintiuno', 'noventa y cuatro', 'cien')."""
    if n < 30:
        return _ES_ONES[n]
    if n == 100:
        return "cien"
    tens, ones = divmod(n, 10)
    return _ES_TENS[tens] + ("" if ones == 0 else " y " + _ES_ONES[ones])


SPELLERS: dict[str, Callable[[int], str]] = {"en": _english, "es": _spanish}


def languages() -> list[str]:
    """The languages numbers can be spelled out in ('en', 'es')."""
    return sorted(SPELLERS)


def figure(value: float, *, decimal_mark: str = ".") -> str:
    """A number as the prose prints it in figures: no trailing '.0', the paper's decimal mark."""
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text.replace(".", decimal_mark)


def spell(value: float, language: str = "en", *, decimal_mark: str = ".") -> str:
    """A whole number from 0 to 100 in ``language``'s words; any other number in figures.

    KeyError for a language with no speller (see ``languages()``).
    """
    speller = SPELLERS[language]
    if not float(value).is_integer() or not 0 <= value <= 100:
        return figure(value, decimal_mark=decimal_mark)
    return speller(int(value))

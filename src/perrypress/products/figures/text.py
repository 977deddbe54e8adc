"""How the figures write numbers, in their drawings and in their alt texts alike.

Free of matplotlib, like the kinds' words (``<kind>_text.py``), so the variables step loads no drawing code.
"""

from __future__ import annotations


def number(value: float, *, unit: str = "", decimal_mark: str = ".", space: str = "\u00a0") -> str:
    """A value as the figures print it: no trailing '.0', the paper's decimal mark, then its unit after ``space``."""
    # Ten significant digits: 12345.5 stays 12345.5 (":g" would round it), 0.1 + 0.2 prints as 0.3.
    text = f"{int(value)}" if float(value).is_integer() else f"{float(value):.10g}"
    if decimal_mark != ".":
        text = text.replace(".", decimal_mark)
    return f"{text}{space}{unit}" if unit else text

"""Write data and metadata into pandoc Markdown as literal text, never as markup."""

from __future__ import annotations

import re

from ..errors import DataError

# Every ASCII punctuation character may be backslash-escaped in pandoc Markdown,
# and escaping them all is the only way to be sure none of them starts markup.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_CITE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:.\-]*$")
_LOCATOR = re.compile(r"^[0-9ivxlcdm]+([–,\- ]+[0-9ivxlcdm]+)*$")


def escape(text: str) -> str:
    """Return ``text`` as Markdown that renders exactly as ``text``, on one line."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def citation(key: str, page: str | int | None, *, path: str, row: int | None = None) -> str:
    """Return a pandoc citation ``[@key, page]`` built from checked data cells."""
    key = str(key).strip()
    if not _CITE_KEY.match(key):
        raise DataError(path, f"{key!r} is not a citation key", "use a key from references.bib", line=row)
    if page is None or str(page).strip() == "":
        return f"[@{key}]"
    page = str(page).strip()
    if page.endswith(".0"):  # a whole number read as a float
        page = page[:-2]
    if not _LOCATOR.match(page):
        raise DataError(path, f"{page!r} is not a page locator", "write pages such as 48 or 12–13", line=row)
    return f"[@{key}, {page}]"


def pipe_table(header: list[str], rows: list[list[str]], widths: list[int]) -> str:
    """Return a pipe table whose column widths follow ``widths`` (relative, any scale).

    Pandoc takes relative widths from the dashes of the separator line once a row
    is wider than the line length, so the separator is made wide on purpose.
    """
    total = sum(widths)
    dashes = [max(3, round(100 * w / total)) for w in widths]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("-" * d for d in dashes) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)

"""Read a source file as UTF-8 text, or say where it is not: the line, the byte, and how to save it again.

A section saved by an editor set to Latin-1 or Windows-1252 ("Café" as the byte 0xE9) would
otherwise stop a step with Python's UnicodeDecodeError and no line. Line ends are read as
``Path.read_text`` reads them (``\\r\\n`` and ``\\r`` become ``\\n``), so line numbers are the editor's.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DocumentError, SourceError

FIX = "save the file as UTF-8 (in the editor's Save As or Encoding menu)"


def read_source(path: Path, error: type[SourceError] = DocumentError) -> str:
    """The text of ``path``; ``error`` at the line and column of its first byte that is not UTF-8."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(path, f"not UTF-8 text: byte 0x{data[exc.start]:02X} at column {column}", FIX,
                    line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")

"""Make every stream's end unambiguous in a PDF that Typst wrote.

Typst ends a stream's data with ``\\nendstream``. When the (compressed) data
itself ends with a carriage return, a reader sees ``\\r\\n`` before
``endstream`` and takes both bytes for the end-of-line marker: PDF/A validators
(veraPDF's rule 6.1.7.1, ``page-validation``'s PDFA2A-STREAM-LENGTH-001) then
find the stream one byte shorter than its ``/Length``. Which stream ends so is
chance (the last bytes of compressed data are a checksum), so a one-word edit
can make a compliant PDF fail. Here each such stream gets a full ``\\r\\n``
marker after its data, and the cross-reference table is shifted to match.
"""

from __future__ import annotations

import re

AMBIGUOUS = b"\r\nendstream"
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(\r\n| \n| \r)")


def unambiguous_stream_ends(pdf: bytes) -> bytes:
    """Return ``pdf`` with a CR LF end-of-line marker after every stream whose data ends in CR."""
    positions = [match.start() + 1 for match in re.finditer(re.escape(AMBIGUOUS), pdf)]
    if not positions:
        return pdf
    startxref = pdf.rindex(b"startxref")
    xref = int(pdf[startxref + len(b"startxref"):].split()[0])
    if not pdf.startswith(b"xref", xref) or b"/Prev" in pdf[xref:]:
        raise ValueError("only a PDF with one classic cross-reference table can be adjusted")

    def shifted(offset: int) -> int:
        return offset + sum(1 for position in positions if position <= offset)

    # Insert a CR before each LF that ends an ambiguous stream.
    pieces, last = [], 0
    for position in positions:
        pieces += [pdf[last:position], b"\r"]
        last = position
    body = b"".join(pieces) + pdf[last:xref]

    def entry(match: re.Match[bytes]) -> bytes:
        offset, generation, kind, end = match.groups()
        if kind == b"n":
            offset = b"%010d" % shifted(int(offset))
        return offset + b" " + generation + b" " + kind + end

    table_end = pdf.index(b"trailer", xref)
    table = _XREF_ENTRY.sub(entry, pdf[xref:table_end])
    number = re.match(rb"startxref\s+(\d+)", pdf[startxref:])
    assert number is not None
    start, end = startxref + number.start(1), startxref + number.end(1)
    return body + table + pdf[table_end:start] + b"%d" % shifted(xref) + pdf[end:]

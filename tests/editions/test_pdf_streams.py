"""Stream ends in the PDF edition: a stream whose data ends in CR gets an unambiguous CR LF marker."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from perrypress.editions.pdf_streams import unambiguous_stream_ends


def minimal_pdf(contents: list[bytes]) -> bytes:
    """A one-page PDF whose page has one content stream per item of ``contents``, written as Typst does."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>",
               b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents[%s]>>"
               % b" ".join(b"%d 0 R" % (4 + i) for i in range(len(contents)))]
    objects += [b"<</Length %d>>\nstream\n%s\nendstream" % (len(data), data) for data in contents]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF" % (len(objects) + 1, xref)
    return bytes(out)


def xref_points_at_objects(pdf: bytes) -> bool:
    """Every in-use entry of the cross-reference table points at the start of its object."""
    xref = int(re.search(rb"startxref\s+(\d+)", pdf[pdf.rindex(b"startxref"):])[1])
    entries = re.findall(rb"(\d{10}) \d{5} n", pdf[xref:pdf.index(b"trailer", xref)])
    return all(pdf.startswith(b"%d 0 obj" % number, int(offset)) for number, offset in enumerate(entries, start=1))


CONTENTS = [b"0 0 m 10 10 l S\r", b"0 0 m 20 20 l S", b"q Q\r"]


def test_ambiguous_streams_get_a_crlf_marker() -> None:
    """Data ending in CR is followed by CR LF; the other streams are untouched."""
    fixed = unambiguous_stream_ends(minimal_pdf(CONTENTS))
    assert fixed.count(b"\r\r\nendstream") == 2
    assert fixed.count(b"S\nendstream") == 1


def test_offsets_and_stream_data_survive() -> None:
    """The cross-reference table still points at every object, and each stream reads back byte for byte."""
    original = minimal_pdf(CONTENTS)
    fixed = unambiguous_stream_ends(original)
    assert xref_points_at_objects(original) and xref_points_at_objects(fixed)
    page = PdfReader(io.BytesIO(fixed), strict=True).pages[0]
    assert [stream.get_object().get_data() for stream in page["/Contents"]] == CONTENTS


def test_a_pdf_without_ambiguity_is_returned_unchanged() -> None:
    """Nothing to adjust: the same bytes come back."""
    pdf = minimal_pdf([b"0 0 m S"])
    assert unambiguous_stream_ends(pdf) is pdf


def test_incremental_updates_are_refused() -> None:
    """A PDF with more than one cross-reference section is not something Typst writes: refuse it."""
    pdf = minimal_pdf(CONTENTS).replace(b"/Root 1 0 R>>", b"/Root 1 0 R/Prev 9>>")
    with pytest.raises(ValueError):
        unambiguous_stream_ends(pdf)

"""Reproducible builds: the same sources give the same bytes anywhere, and leak nothing of the machine."""

from __future__ import annotations

import getpass
import socket
import zipfile
from pathlib import Path

import pytest

from conftest import Project, copy_project
from perrypress.verify import compare, first_difference, outputs

MARKER = "LEAKMARKER-7f3a"


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project built in a folder whose path carries a marker string."""
    project = copy_project(tmp_path_factory.mktemp(MARKER) / f"{MARKER}-project")
    project.snakemake()
    return project


@pytest.mark.slow
def test_two_builds_in_different_folders_are_identical(built: Project, marked: Project) -> None:
    """Every edition, table, figure and the variables have the same SHA-256 in both builds."""
    results = compare(built.root, marked.root)
    assert len(results) >= 10
    assert [r.path for r in results if not r.identical] == []
    assert {"_build/cybersex-trafficking-south-america.pdf", "figures/regions.png"} <= {r.path for r in results}


def readable_bytes(path: Path) -> list[bytes]:
    """A file's bytes, and those of everything packed inside it (DOCX parts, PDF streams)."""
    data = [path.read_bytes()]
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            data += [archive.read(name) for name in archive.namelist()]
    elif path.suffix == ".pdf":
        from pypdf import PdfReader
        from pypdf.generic import StreamObject

        reader = PdfReader(path)
        for number in range(1, int(reader.trailer["/Size"])):
            try:
                obj = reader.get_object(number)
            except Exception:  # noqa: BLE001 - object numbers past the end
                continue
            if isinstance(obj, StreamObject):
                data.append(obj.get_data())
        data.append(str(reader.metadata).encode())
        if "/Metadata" in reader.trailer["/Root"]:
            data.append(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    return data


@pytest.mark.slow
def test_no_path_user_or_host_leaks(marked: Project) -> None:
    """No output contains the build folder's path, the user name or the host name, even inside DOCX and PDF."""
    needles = {MARKER.encode(), str(marked.root).encode(), b"pytest-of-"}
    # The user and host names count unless the paper's own sources contain them (the text says "roots").
    sources = b"".join(p.read_bytes() for p in [*marked.root.glob("sections/*.qmd"), marked.root / "report.qmd",
                                                 marked.root / "references.bib", *marked.root.glob("data/*.csv")])
    for name in (getpass.getuser(), socket.gethostname()):
        if len(name) >= 3 and name.lower().encode() not in sources.lower():
            needles.add(name.encode())
    # The unpacking works: what is only inside the packed parts is found there.
    for edition in ("pdf", "docx"):
        assert any(b"Zoe Nelson" in blob for blob in readable_bytes(marked.edition(edition))[1:])
    for name in outputs(marked.root):
        for blob in readable_bytes(marked.root / name):
            found = [n for n in needles if n in blob]
            assert not found, f"{name} contains {found}"


def test_first_difference_shows_context() -> None:
    """A difference in a text file is shown with the text around it."""
    detail = first_difference(b"<p>Same text, then 8 %</p>", b"<p>Same text, then 9 %</p>", text=True)
    assert "byte 19" in detail and "8 %" in detail and "9 %" in detail

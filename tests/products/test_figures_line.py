"""Tests for perrypress.products.figures.line: a line chart from a CSV, its words and alt text from config and data."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIGURE_FIXTURES, ROOT, figure_schema, figure_specs, write_package
from perrypress.errors import DataError
from perrypress.products.figures import alt_text, draw
from readers import pdf_text

SPEC = figure_specs()["line"]


def project(tmp_path: Path, csv: str, **types: str) -> Path:
    """Where SPEC's data path points: ``csv`` as line.csv, the fixture's resource's fields retyped by ``types``."""
    folder = tmp_path / Path(SPEC["data"]).parent
    write_package(folder, {"line": figure_schema("line", **types)})
    (folder / "line.csv").write_text(csv, encoding="utf-8")
    return tmp_path


def test_alt_text_gives_every_point() -> None:
    """By series (legend words), each x value and its value in the paper's number format; gaps named."""
    assert alt_text("line", SPEC, root=ROOT) == (
        "Gráfico de líneas de los casos por año: Norte: 2019 3, 2020 4,5, 2022 6; "
        "Sur: 2019 5, 2020 6, 2021 7, 2022 7,5. Sin valor: Norte 2021.")


def test_one_series_lists_the_points() -> None:
    """With one value column the alt text lists x and value, with no group, and the unit after each value."""
    spec = {**SPEC, "values": {"south": "Sur"}, "unit": "%"}
    assert alt_text("line", spec, root=ROOT).endswith(": 2019 5 %, 2020 6 %, 2021 7 %, 2022 7,5 %.")


def test_pdf_carries_the_configured_words(tmp_path: Path, figure_fonts: list[Path]) -> None:
    """Axis words, legend words and the x values (years, with no thousands separator) are printed."""
    out = draw("line", SPEC, root=ROOT, font_files=figure_fonts, out_dir=tmp_path)
    text = " ".join(pdf_text(out["pdf"]).split())
    for words in ["Año", "Casos", "Norte", "Sur", "2019", "2022"]:
        assert words in text, words
    assert "2.019" not in text and "2,019" not in text


def test_changed_value_changes_figure_and_alt_text(tmp_path: Path, figure_fonts: list[Path]) -> None:
    """A changed cell changes both the drawn SVG and the alt text."""
    before = draw("line", SPEC, root=ROOT, font_files=figure_fonts, out_dir=tmp_path / "a")["svg"].read_bytes()
    root = project(tmp_path / "p", (FIGURE_FIXTURES / "line.csv").read_text().replace("2022,6,", "2022,9,"))
    after = draw("line", SPEC, root=root, font_files=figure_fonts, out_dir=tmp_path / "b")["svg"].read_bytes()
    assert before != after and "2022 9;" in alt_text("line", SPEC, root=root)


def test_names_along_x(tmp_path: Path, figure_fonts: list[Path]) -> None:
    """An x column of names (not numbers) gives evenly spaced points labelled with the names."""
    root = project(tmp_path, "year,north,south\nQ1,1,2\nQ2,2,3\n", year="string")
    out = draw("line", SPEC, root=root, font_files=figure_fonts, out_dir=tmp_path / "out")
    assert "Q2" in pdf_text(out["pdf"])
    assert alt_text("line", SPEC, root=root).endswith("Norte: Q1 1, Q2 2; Sur: Q1 2, Q2 3.")


def test_malformed_csv_names_its_line(tmp_path: Path) -> None:
    """A cell that is not a number (the schema says number) names file, line and column."""
    root = project(tmp_path, "year,north,south\n2019,3,5\n2020,four,6\n")
    with pytest.raises(DataError, match=r"line\.csv:3:2: column 'north': 'four' is not a number — "):
        alt_text("line", SPEC, root=root)


def test_unclosed_quote_is_a_data_error(tmp_path: Path, figure_fonts: list[Path]) -> None:
    """A broken CSV (an unclosed quote) is a DataError naming the file, not a traceback."""
    root = project(tmp_path, 'year,north,south\n2019,"3,5\n')
    with pytest.raises(DataError, match=r"line\.csv:\d+: "):
        draw("line", SPEC, root=root, font_files=figure_fonts, out_dir=tmp_path / "out")


def test_missing_column_is_named(tmp_path: Path) -> None:
    """An x column the file lacks is named on the header's line."""
    with pytest.raises(DataError, match=r"line\.csv:1: no column 'month', which the figure needs"):
        alt_text("line", {**SPEC, "x": "month"}, root=ROOT)

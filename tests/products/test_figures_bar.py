"""Tests for perrypress.products.figures.bar: a bar chart from a CSV, its words and alt text from config and data."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIGURE_FIXTURES, ROOT, figure_schema, figure_specs, write_package
from perrypress.errors import ConfigError, DataError
from perrypress.products.figures import alt_text, draw
from readers import pdf_text

SPEC = figure_specs()["bar"]


def project(tmp_path: Path, csv: str | None = None, **types: str) -> Path:
    """Where SPEC's data path points: the fixture's bar.csv (or ``csv``), its resource's fields retyped by ``types``."""
    folder = tmp_path / Path(SPEC["data"]).parent
    write_package(folder, {"bar": figure_schema("bar", **types)})
    text = csv if csv is not None else (FIGURE_FIXTURES / "bar.csv").read_text(encoding="utf-8")
    (folder / "bar.csv").write_text(text, encoding="utf-8")
    return tmp_path


class TestAltText:
    """The alt text is the configured opening, then every value of the data, in the paper's number format."""

    def test_alt_text_gives_every_value(self) -> None:
        """Grouped by category, each series by its legend words; the empty value named after alt_words.missing."""
        assert alt_text("bar", SPEC, root=ROOT) == (
            "Gráfico de barras de los casos registrados por ciudad: Bogotá: 2022 12,5 %, 2023 14 %; "
            "Lima: 2022 9 %; Quito: 2022 4 %, 2023 6,5 %. Sin valor: Lima 2023.")

    def test_one_series_lists_the_bars(self) -> None:
        """With one value column the alt text lists category and value, with no group."""
        spec = {**SPEC, "values": {"y2022": "2022"}, "decimal_mark": "."}
        assert alt_text("bar", spec, root=ROOT).endswith(": Bogotá 12.5 %, Lima 9 %, Quito 4 %.")

    def test_changed_value_changes_figure_and_alt_text(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """A changed cell changes both the drawn SVG and the alt text."""
        before = draw("bar", SPEC, root=ROOT, font_files=figure_fonts, out_dir=tmp_path / "a")["svg"].read_bytes()
        root = project(tmp_path / "p", csv=(FIGURE_FIXTURES / "bar.csv").read_text().replace("Lima,9,", "Lima,11,"))
        after = draw("bar", SPEC, root=root, font_files=figure_fonts, out_dir=tmp_path / "b")["svg"].read_bytes()
        assert before != after
        assert "Lima: 2022 11 %" in alt_text("bar", SPEC, root=root)

    def test_empty_values_need_the_missing_words(self) -> None:
        """Data with an empty value and no alt_words.missing is a ConfigError naming the key to add."""
        spec = {k: v for k, v in SPEC.items() if k != "alt_words"}
        with pytest.raises(ConfigError, match=r"figures\.bar: .*alt_words\.missing is not set — add alt_words"):
            alt_text("bar", spec, root=ROOT)


class TestWords:
    """Every word the chart prints comes from the configuration or the data."""

    def test_pdf_carries_the_configured_words(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """Axis words, legend words, categories, values and the source line (pages from the data) are printed."""
        out = draw("bar", SPEC, root=ROOT, font_files=figure_fonts, out_dir=tmp_path)
        text = " ".join(pdf_text(out["pdf"]).split())
        for words in ["Casos registrados", "Ciudad", "2022", "2023", "Bogotá", "12,5 %", "6,5 %",
                      "Fuente: datos inventados, págs. 31, 32"]:
            assert words in text, words

    def test_source_pages_end_with_the_papers_and(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """The source line's last page follows the conjunction given: this Spanish chart's `y`, not `and`."""
        out = draw("bar", SPEC, root=ROOT, font_files=figure_fonts, out_dir=tmp_path, conjunction="y")
        assert "Fuente: datos inventados, págs. 31, 32 y 33." in " ".join(pdf_text(out["pdf"]).split())

    def test_other_words_draw_another_figure(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """Changing the axis words changes the figure (nothing the chart prints is fixed in code)."""
        a = draw("bar", SPEC, root=ROOT, font_files=figure_fonts, out_dir=tmp_path / "a")["svg"].read_bytes()
        spec = {**SPEC, "axis": {"value": "Recorded cases", "category": "City"}}
        b = draw("bar", spec, root=ROOT, font_files=figure_fonts, out_dir=tmp_path / "b")["svg"].read_bytes()
        assert a != b

    def test_vertical_bars_and_no_source(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """Upright bars, one series, no source line: the optional keys may be left out."""
        spec = {k: v for k, v in SPEC.items() if k not in {"source", "axis", "unit", "decimal_mark"}}
        spec |= {"orientation": "vertical", "values": {"y2022": "2022"}}
        out = draw("bar", spec, root=ROOT, font_files=figure_fonts, out_dir=tmp_path)
        assert "Fuente" not in pdf_text(out["pdf"])

    def test_a_character_the_font_lacks_is_an_error(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """A word the font cannot set stops the chart rather than falling back to another font."""
        with pytest.raises(ValueError, match="lacks glyphs"):
            draw("bar", {**SPEC, "axis": {"value": "\u4e16\u754c"}}, root=ROOT, font_files=figure_fonts,
                 out_dir=tmp_path)


class TestDataErrors:
    """A bad data file is a DataError in the project's file:row:column — fix form."""

    def test_malformed_csv_names_its_line(self, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """A row with a stray cell names the file and its line."""
        root = project(tmp_path, csv="city,y2022,y2023,source_page\nBogotá,12.5,14,31\nLima,9,1,2,32\n")
        with pytest.raises(DataError, match=r"bar\.csv:3: row has 5 cells, the header has 4 — "):
            draw("bar", SPEC, root=root, font_files=figure_fonts, out_dir=tmp_path / "out")

    def test_column_the_config_names_must_exist(self, tmp_path: Path) -> None:
        """A value column the file lacks is named, on the header's line, with the columns it has."""
        spec = {**SPEC, "values": {"y2024": "2024"}}
        with pytest.raises(DataError, match=r"bar\.csv:1: no column 'y2024', which the figure needs — .*city"):
            alt_text("bar", spec, root=ROOT)

    def test_value_that_is_not_a_number_names_its_cell(self, tmp_path: Path) -> None:
        """A value column typed as text in its resource still has to hold numbers: the cell is named."""
        csv = (FIGURE_FIXTURES / "bar.csv").read_text().replace("Quito,4,6.5", "Quito,4,six")
        root = project(tmp_path, csv=csv, y2023="string")
        with pytest.raises(DataError, match=r"bar\.csv:4:3: column 'y2023': 'six' is not a number — "):
            alt_text("bar", SPEC, root=root)

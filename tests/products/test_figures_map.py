"""Tests for perrypress.products.figures.map: the map kind, drawn from Figure 1's data (the world map by region)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import fontpkg_source_sans_3
import pandas
import pytest
import yaml
from PIL import Image

from perrypress.products.figures.map import draw_regions, region_colour, region_hatch
from perrypress.products.figures.map_text import alt_text
from perrypress.editions.fonts import static_fonts

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SHAPEFILE = DATA / "geometry" / "naturalearth_lowres.shp"
SOURCE_LINE = "Source: UNODC, Global Report on Trafficking in Persons 2022. Map: Natural Earth."
# The legend's words and the alt text's opening, as config/config.yaml gives them for Figure 1.
FIGURE_CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["figures"]["regions"]
LEGEND, ALT = FIGURE_CONFIG["legend"], FIGURE_CONFIG["alt"]
ANCHORS, ALT_WORDS = FIGURE_CONFIG["anchors"], FIGURE_CONFIG["alt_words"]
VARIABLE_FONT = fontpkg_source_sans_3.ROOT / "files" / "SourceSans3[wght].ttf"


def read(name: str) -> pandas.DataFrame:
    """Read a data CSV the way the build does: only empty cells are missing."""
    return pandas.read_csv(DATA / name, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="session")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Static Regular and SemiBold instances of the packaged Source Sans 3, made once per session."""
    return static_fonts(sorted((fontpkg_source_sans_3.ROOT / "files").glob("*.ttf")), tmp_path_factory.mktemp("fonts"))


@pytest.fixture
def regions() -> pandas.DataFrame:
    """The regions of Figure 1 as the data file gives them."""
    return read("regions.csv")


@pytest.fixture
def countries() -> pandas.DataFrame:
    """The country-to-region table of the map."""
    return read("country-regions.csv")


def draw(folder: Path, regions: pandas.DataFrame, countries: pandas.DataFrame, fonts: list[Path]) -> dict[str, Path]:
    """Draw the figure in all three formats into folder and return the paths."""
    outputs = {fmt: folder / f"fig-regions.{fmt}" for fmt in ("svg", "pdf", "png")}
    draw_regions(regions=regions, countries=countries, shapefile=SHAPEFILE, font_files=fonts, outputs=outputs,
                 legend=LEGEND, source_line=SOURCE_LINE, anchors=ANCHORS)
    return outputs


class TestOutputs:
    """The function writes each requested format, reproducibly."""

    def test_writes_svg_pdf_png(self, tmp_path, regions, countries, fonts):
        """Each of SVG, PDF and PNG is written and starts with its format's signature."""
        out = draw(tmp_path, regions, countries, fonts)
        assert b"<svg" in out["svg"].read_bytes()[:1000]
        assert out["pdf"].read_bytes().startswith(b"%PDF")
        assert out["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    def test_two_calls_are_byte_identical(self, tmp_path, regions, countries, fonts):
        """Two calls with the same inputs write byte-identical SVG, PDF and PNG files."""
        first = draw(tmp_path / "a", regions, countries, fonts)
        second = draw(tmp_path / "b", regions, countries, fonts)
        for fmt in first:
            assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt

    def test_another_process_writes_the_same_bytes(self, tmp_path, regions, countries, fonts):
        """A fresh interpreter with another hash seed writes the same bytes as this one."""
        here = draw(tmp_path / "here", regions, countries, fonts)
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            sys.path[:0] = [{str(Path(__file__).resolve().parent)!r}, {str(Path(__file__).resolve().parents[1])!r}]
            from test_figures_map import draw, read
            fonts = [Path(p) for p in {[str(f) for f in fonts]!r}]
            draw(Path({str(tmp_path / "there")!r}), read("regions.csv"), read("country-regions.csv"), fonts)
            """
        )
        env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=tmp_path)
        for fmt, path in here.items():
            assert path.read_bytes() == (tmp_path / "there" / path.name).read_bytes(), fmt

    def test_png_is_at_least_300_dpi(self, tmp_path, regions, countries, fonts):
        """The PNG records at least 300 dpi and has the pixels for 6.5 inches at that resolution."""
        out = draw(tmp_path, regions, countries, fonts)
        with Image.open(out["png"]) as image:
            dpi_x, dpi_y = image.info["dpi"]
            assert round(dpi_x) >= 300 and round(dpi_y) >= 300
            assert image.width >= round(6.5 * 300)

    def test_no_date_version_or_system_font_leaks(self, tmp_path, regions, countries, fonts):
        """No file names matplotlib's version or a date, and the PDF embeds only the given font."""
        out = draw(tmp_path, regions, countries, fonts)
        svg, pdf = out["svg"].read_text(encoding="utf-8"), out["pdf"].read_bytes()
        assert "Matplotlib" not in svg and "<dc:date>" not in svg
        assert b"Matplotlib" not in pdf and b"CreationDate" not in pdf
        assert b"DejaVu" not in pdf and b"/BaseFont /" in pdf
        assert all(b"SourceSans3" in line for line in pdf.split(b"\n") if b"/BaseFont /" in line)
        with Image.open(out["png"]) as image:
            assert "Software" not in image.info


class TestData:
    """The figure follows the data it is given."""

    def test_changed_share_changes_figure_and_alt_text(self, tmp_path, regions, countries, fonts):
        """Changing North America's share changes the drawn SVG and the alt text."""
        before = draw(tmp_path / "before", regions, countries, fonts)["svg"].read_bytes()
        changed = regions.copy()
        changed.loc[changed["slug"] == "north_america", "share_pct"] = 5.0
        after = draw(tmp_path / "after", changed, countries, fonts)["svg"].read_bytes()
        assert before != after
        assert "North America 3 %" in alt_text(regions, lead=ALT, words=ALT_WORDS)
        assert "North America 5 %" in alt_text(changed, lead=ALT, words=ALT_WORDS)

    def test_no_data_colour_differs_from_zero(self):
        """A region with no stated value is not coloured like a region at 0 %."""
        no_data = region_colour(math.nan, "not-stated")
        assert no_data != region_colour(0.0, "stated")
        assert no_data != region_colour(0.0, "substitute-zero")
        assert region_hatch("substitute-zero") and region_hatch("not-stated") is None

    def test_alt_text_names_each_stated_value(self, regions):
        """The alt text gives every value in the frame and names every region without one."""
        text = alt_text(regions, lead=ALT, words=ALT_WORDS)
        for row in regions.itertuples(index=False):
            if row.slug == "all_regions":
                assert f"Globally {row.share_pct:g} %" in text
            elif pandas.isna(row.share_pct):
                assert row.region in text
            else:
                assert f"{row.region} {row.share_pct:g} %" in text
        assert "author's substitute" in text

    def test_build_loader_frames_draw_the_same_figure(self, tmp_path, regions, countries, fonts):
        """Frames read by the build's schema-checked loader give the same figure and alt text as pandas."""
        from perrypress.sources.data_tables import load_table

        built_regions, built_countries = load_table(DATA / "regions.csv"), load_table(DATA / "country-regions.csv")
        assert alt_text(built_regions, lead=ALT, words=ALT_WORDS) == alt_text(regions, lead=ALT, words=ALT_WORDS)
        a = draw(tmp_path / "pandas", regions, countries, fonts)["svg"].read_bytes()
        b = draw(tmp_path / "loader", built_regions, built_countries, fonts)["svg"].read_bytes()
        assert a == b

    def test_country_missing_from_table_is_an_error(self, tmp_path, regions, countries, fonts):
        """A map feature absent from the country table stops the figure with a clear message."""
        partial = countries[countries["name"] != "Brazil"]
        with pytest.raises(ValueError, match="Brazil"):
            draw(tmp_path, regions, partial, fonts)


class TestFonts:
    """The figure is set in the given font and nothing else."""

    def test_static_fonts_are_upright_regular_and_semibold(self, fonts):
        """The packaged variable fonts become two static upright instances, Regular and SemiBold."""
        assert [f.name for f in fonts] == ["SourceSans3-400.ttf", "SourceSans3-600.ttf"]

    def test_variable_font_is_refused(self, tmp_path, regions, countries):
        """A variable font, which matplotlib would draw at its ExtraLight default, is refused."""
        with pytest.raises(ValueError, match="variable font"):
            draw(tmp_path, regions, countries, [VARIABLE_FONT])

    def test_character_missing_from_the_font_is_an_error(self, tmp_path, regions, countries, fonts):
        """A source line the font cannot set stops the figure instead of falling back to another font."""
        with pytest.raises(ValueError, match="lacks glyphs"):
            draw_regions(regions=regions, countries=countries, shapefile=SHAPEFILE, font_files=fonts, legend=LEGEND,
                         outputs={"svg": tmp_path / "f.svg"}, source_line="Source: \u4e16\u754c")


def test_legend_words_come_from_the_caller(tmp_path: Path, regions: pandas.DataFrame,
                                           countries: pandas.DataFrame, fonts: list[Path]) -> None:
    """The legend's words are the configuration's: other words give another figure; none missing is allowed."""
    with pytest.raises(ValueError, match="legend lacks"):
        draw_regions(regions=regions, countries=countries, shapefile=SHAPEFILE, font_files=fonts,
                     outputs={"svg": tmp_path / "a.svg"}, legend={"scale": "x"}, source_line=SOURCE_LINE)
    for name, legend in [("a", LEGEND), ("b", {**LEGEND, "no_data": "Keine Daten"})]:
        draw_regions(regions=regions, countries=countries, shapefile=SHAPEFILE, font_files=fonts,
                     outputs={"svg": tmp_path / f"{name}.svg"}, legend=legend, source_line=SOURCE_LINE)
    assert (tmp_path / "a.svg").read_bytes() != (tmp_path / "b.svg").read_bytes()


def test_decimal_mark_is_the_papers(regions: pandas.DataFrame) -> None:
    """A paper that writes decimal commas gets them in the alt text (and the figure) from decimal_mark."""
    changed = regions.copy()
    changed.loc[changed["slug"] == "all_regions", "share_pct"] = 2.5
    assert "Globally 2.5 %" in alt_text(changed, lead=ALT, words=ALT_WORDS)
    assert "Globally 2,5 %" in alt_text(changed, lead=ALT, words=ALT_WORDS, decimal_mark=",")

"""Tests for perrypress.products.figures: a figure declared by its kind in config, drawn reproducibly in the house style."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from conftest import FIGURE_FIXTURES, ROOT, figure_schema, figure_specs, write_package
from perrypress.sources.config import load_config
from perrypress.errors import ConfigError
from perrypress.products.figures import FORMATS, KINDS, alt_text, draw, kind_module, text_module

CONFIG = ROOT / "config" / "config.yaml"
CHARTS = figure_specs()


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The project's configuration with ``old`` replaced by ``new``, written to tmp_path."""
    path = tmp_path / "config.yaml"
    text = CONFIG.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


class TestConfig:
    """A figure is declared by its kind; each kind has its own keys."""

    def test_the_papers_map_is_a_map(self) -> None:
        """The paper's figure declares kind: map and passes the schema."""
        assert load_config(CONFIG, root=ROOT)["figures"]["regions"]["kind"] == "map"

    def test_unknown_kind_is_a_clear_error(self, tmp_path: Path) -> None:
        """A kind there is no module for is named, with the kinds there are, on its line."""
        path = variant(tmp_path, "    kind: map\n", "    kind: pie\n")
        with pytest.raises(ConfigError, match=r"figures\.regions\.kind: 'pie' is not allowed — use one of: map, bar, line"):
            load_config(path, root=ROOT)

    def test_missing_kind_is_an_error(self, tmp_path: Path) -> None:
        """A figure without a kind is refused."""
        path = variant(tmp_path, "    kind: map\n", "")
        with pytest.raises(ConfigError, match=r"figures\.regions: kind is missing — add kind: under figures\.regions"):
            load_config(path, root=ROOT)

    def test_kind_specific_keys_are_required(self, tmp_path: Path) -> None:
        """A map without its geometry, or with a bar chart's key, is refused."""
        path = variant(tmp_path, "    geometry: data/geometry/naturalearth_lowres.shp\n", "")
        with pytest.raises(ConfigError, match="geometry is missing"):
            load_config(path, root=ROOT)
        path = variant(tmp_path, "    kind: map\n", "    kind: map\n    category: region\n")
        with pytest.raises(ConfigError, match="category: not a key here"):
            load_config(path, root=ROOT)

    def test_a_chart_needs_its_columns(self) -> None:
        """A bar chart without its category column, or a line chart without its x column, is refused."""
        import yaml

        from conftest import _valid

        config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
        for slug, key in [("bar", "category"), ("line", "x")]:
            config["figures"] = {slug: {k: v for k, v in CHARTS[slug].items() if k != key}}
            with pytest.raises(ConfigError, match=rf"figures\.{slug}: {key} is missing"):
                _valid(config)

    def test_the_fixture_charts_pass_the_schema(self) -> None:
        """The bar and line charts of the tests' fixtures are valid configuration."""
        assert set(CHARTS) == {"bar", "line"}

    def test_the_fixture_data_is_a_valid_data_package(self) -> None:
        """The charts' CSVs are resources of the datapackage.json beside them, valid as the build checks data/."""
        from perrypress.sources.datapackage import check_package

        counts = dict(check_package(FIGURE_FIXTURES / "datapackage.json",
                                    data_files=[ROOT / CHARTS[slug]["data"] for slug in CHARTS]))
        assert counts == {str(FIGURE_FIXTURES / "bar.csv"): 3, str(FIGURE_FIXTURES / "line.csv"): 4}

    def test_dispatch_refuses_an_unknown_kind(self) -> None:
        """Drawing a figure of an unknown kind (config not validated) is a ConfigError, not a traceback."""
        with pytest.raises(ConfigError, match="figures.x.kind: 'pie' is not a kind of figure — use one of map"):
            kind_module("x", {"kind": "pie"})

    def test_describing_an_unknown_kind_is_the_same_error(self) -> None:
        """Describing a figure of an unknown kind is the ConfigError drawing it is."""
        with pytest.raises(ConfigError, match="figures.x.kind: 'pie' is not a kind of figure — use one of map"):
            text_module("x", {"kind": "pie"})

    @pytest.mark.parametrize("kind", KINDS)
    def test_every_kind_has_a_module_that_draws_and_one_that_describes(self, kind: str) -> None:
        """Each kind's module draws; its ``<kind>_text`` module describes."""
        assert callable(kind_module("x", {"kind": kind}).draw)
        module = text_module("x", {"kind": kind})
        assert module.__name__ == f"perrypress.products.figures.{kind}_text" and callable(module.describe)

    def test_a_chart_has_as_many_series_as_the_style_tells_apart(self) -> None:
        """The words' limit on series (no matplotlib) is the number of the house style's colours, markers, dashes."""
        from perrypress.products.figures import chart_text, style

        assert chart_text.MAX_SERIES == len(style.SERIES_COLOURS) == len(style.SERIES_MARKERS) == len(
            style.SERIES_DASHES)


def draw_chart(slug: str, folder: Path, fonts: list[Path]) -> dict[str, Path]:
    """Draw the fixture chart ``slug`` (bar or line) into ``folder``."""
    return draw(slug, CHARTS[slug], root=ROOT, font_files=fonts, out_dir=folder)


@pytest.mark.parametrize("slug", ["bar", "line"])
class TestReproducible:
    """A chart is written in the map's formats, with the same reproducibility measures."""

    def test_writes_svg_pdf_png(self, slug: str, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """SVG, PDF and PNG are written, named by the slug, each with its format's signature."""
        out = draw_chart(slug, tmp_path, figure_fonts)
        assert {p.name for p in out.values()} == {f"{slug}.svg", f"{slug}.pdf", f"{slug}.png"}
        assert b"<svg" in out["svg"].read_bytes()[:1000]
        assert out["pdf"].read_bytes().startswith(b"%PDF")
        assert out["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    def test_two_renders_are_byte_identical(self, slug: str, tmp_path: Path, figure_fonts: list[Path]) -> None:
        """Two renders of the same data write byte-identical SVG, PDF and PNG files."""
        first = draw_chart(slug, tmp_path / "a", figure_fonts)
        second = draw_chart(slug, tmp_path / "b", figure_fonts)
        for fmt in first:
            assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt

    def test_another_process_writes_the_same_bytes(self, slug: str, tmp_path: Path,
                                                   figure_fonts: list[Path]) -> None:
        """A fresh interpreter with another hash seed writes the same bytes."""
        here = draw_chart(slug, tmp_path / "here", figure_fonts)
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            sys.path[:0] = [{str(Path(__file__).resolve().parent)!r}, {str(Path(__file__).resolve().parents[1])!r}]
            from test_figures import draw_chart
            draw_chart({slug!r}, Path({str(tmp_path / "there")!r}), [Path(p) for p in {[str(f) for f in figure_fonts]!r}])
            """
        )
        env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=tmp_path)
        for fmt, path in here.items():
            assert path.read_bytes() == (tmp_path / "there" / path.name).read_bytes(), fmt

    def test_no_date_version_or_system_font_leaks(self, slug: str, tmp_path: Path,
                                                  figure_fonts: list[Path]) -> None:
        """No file names matplotlib or a date; the PDF embeds only the given font; the PNG is 6.5 in at 300 dpi."""
        out = draw_chart(slug, tmp_path, figure_fonts)
        svg, pdf = out["svg"].read_text(encoding="utf-8"), out["pdf"].read_bytes()
        assert "Matplotlib" not in svg and "<dc:date>" not in svg
        assert b"Matplotlib" not in pdf and b"CreationDate" not in pdf
        assert b"DejaVu" not in pdf
        assert all(b"SourceSans3" in line for line in pdf.split(b"\n") if b"/BaseFont /" in line)
        with Image.open(out["png"]) as image:
            assert "Software" not in image.info
            assert round(image.info["dpi"][0]) == 300 and image.width == round(6.5 * 300)

    def test_alt_text_starts_with_the_configured_opening(self, slug: str) -> None:
        """The alt text opens with the configuration's words and ends a sentence."""
        text = alt_text(slug, CHARTS[slug], root=ROOT)
        assert text.startswith(CHARTS[slug]["alt"] + ": ") and text.endswith(".")


def test_the_papers_map_draws_as_before(tmp_path: Path, figure_fonts: list[Path]) -> None:
    """Drawn through the kinds' dispatch, the paper's map is the map module's own figure, byte for byte."""
    from perrypress.products.figures.map import draw_regions
    from perrypress.sources.data_tables import load_table, source_line

    spec = load_config(CONFIG, root=ROOT)["figures"]["regions"]
    via_kind = draw("regions", spec, root=ROOT, font_files=figure_fonts, out_dir=tmp_path / "kind")
    direct = {fmt: tmp_path / "direct" / f"regions.{fmt}" for fmt in via_kind}
    draw_regions(regions=load_table(ROOT / spec["data"]), countries=load_table(ROOT / spec["countries"]),
                 shapefile=ROOT / spec["geometry"], font_files=figure_fonts, outputs=direct,
                 source_line=source_line(spec["source"], ROOT / spec["data"]), legend=spec["legend"],
                 anchors=spec["anchors"])
    for fmt in via_kind:
        assert via_kind[fmt].read_bytes() == direct[fmt].read_bytes(), fmt


def test_numbers_print_as_the_paper_prints_them() -> None:
    """Whole numbers without '.0', the configured decimal mark, the unit after a non-breaking space, no rounding."""
    from perrypress.products.figures.text import number

    assert number(3.0, unit="%") == "3\u00a0%"
    assert number(2.5, unit="%", decimal_mark=",") == "2,5\u00a0%"
    assert number(12345.5) == "12345.5" and number(0.1 + 0.2) == "0.3"
    assert number(2.5, unit="%", space=" ") == "2.5 %"


@pytest.mark.slow
def test_a_bar_and_a_line_chart_build_into_the_editions(built_copy) -> None:
    """Declared in config with their CSVs and placed in a section, the charts are drawn by the workflow and their
    alt text (from the data) reaches the HTML edition, without a change to the code."""
    import shutil

    import yaml

    root = built_copy.root
    config_path = root / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for slug in ("bar", "line"):
        shutil.copy(FIGURE_FIXTURES / f"{slug}.csv", root / "data" / f"{slug}.csv")
        config["figures"][f"{slug}-chart"] = {**CHARTS[slug], "data": f"data/{slug}.csv"}
    write_package(root / "data", {slug: figure_schema(slug) for slug in ("bar", "line")})
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    section = sorted((root / "sections").glob("*.qmd"))[-1]
    section.write_text(section.read_text(encoding="utf-8") + "".join(
        f'\n\n![Chart {slug}](/figures/{slug}-chart){{#fig-{slug}-chart fig-alt="{{{{< var figures.{slug}-chart.alt >}}}}"}}\n'
        for slug in ("bar", "line")), encoding="utf-8")
    built_copy.snakemake()
    for slug in ("bar", "line"):
        assert {p.name for p in (root / "figures").glob(f"{slug}-chart.*")} == {f"{slug}-chart.{f}" for f in FORMATS}
    html = built_copy.edition("html").read_text(encoding="utf-8")
    assert "Sin valor: Lima 2023." in html and "Sur: 2019 5, 2020 6, 2021 7, 2022 7,5." in html

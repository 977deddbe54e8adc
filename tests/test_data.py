"""Data files: every CSV matches its schema, every row's provenance is a known work, bad cells are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pybtex.database import parse_file

from conftest import ROOT
from perrypress.data import load_schema, load_table, schema_path
from perrypress.errors import DataError

DATA = ROOT / "data"
CSVS = sorted(p.name for p in DATA.glob("*.csv"))
KNOWN_KEYS = set(parse_file(ROOT / "references.bib").entries) | set(parse_file(DATA / "sources.bib").entries)


@pytest.mark.parametrize("name", CSVS)
def test_every_data_file_matches_its_schema(name: str) -> None:
    """Each CSV reads against the schema beside it, with at least one row."""
    frame = load_table(DATA / name)
    assert len(frame) > 0
    schema = load_schema(schema_path(DATA / name))
    assert schema.get("title") and schema.get("source") and schema.get("licence")


@pytest.mark.parametrize("name", ["law.csv", "law-notes.csv", "structures.csv", "regions.csv", "statistics.csv"])
def test_provenance_names_a_known_work(name: str) -> None:
    """Every row of the tables', figure's and prose's data cites a work in references.bib or data/sources.bib."""
    frame = load_table(DATA / name)
    key_columns = [c for c in frame.columns if c.endswith("_key")]
    assert key_columns, f"{name} has no provenance column"
    for column in key_columns:
        assert set(frame[column]) <= KNOWN_KEYS, f"{name}:{column}: {set(frame[column]) - KNOWN_KEYS}"


def test_figure_values_are_stated_or_missing() -> None:
    """Figure 1's data holds only the values the text states; the rest stay empty, never invented."""
    regions = load_table(DATA / "regions.csv").set_index("slug")
    stated = regions[regions["flag"] != "not-stated"]["share_pct"].to_dict()
    assert stated == {"north_america": 3, "south_america": 8, "south_asia": 0, "all_regions": 2}
    assert regions[regions["flag"] == "not-stated"]["share_pct"].isna().all()
    assert regions.loc["south_asia", "flag"] == "substitute-zero"


def test_every_map_country_has_a_region_or_none() -> None:
    """Every country of the geometry is mapped, and only to a region of Figure 1's data."""
    countries = load_table(DATA / "country-regions.csv")
    regions = set(load_table(DATA / "regions.csv")["region"])
    assert set(countries["region"].dropna()) <= regions
    assert len(countries) >= 170


@pytest.fixture
def bad_csv(tmp_path: Path):
    """Write a variant of data/regions.csv next to a copy of its schema."""
    shutil.copy(DATA / "regions.schema.yaml", tmp_path / "regions.schema.yaml")
    original = (DATA / "regions.csv").read_text(encoding="utf-8")

    def write(transform) -> Path:
        path = tmp_path / "regions.csv"
        path.write_text(transform(original), encoding="utf-8")
        return path

    return write


class TestSchemaErrors:
    """A CSV that breaks its schema raises DataError naming the file, the spreadsheet row and the column."""

    def test_missing_column(self, bad_csv) -> None:
        """A header without a schema column is an error on row 1."""
        path = bad_csv(lambda t: t.replace("slug,", "", 1))
        with pytest.raises(DataError, match=r"missing column\(s\) \['slug'\]") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:1:")

    def test_extra_column(self, bad_csv) -> None:
        """A header with a column the schema lacks is an error."""
        path = bad_csv(lambda t: t.replace(",flag\n", ",flag,comment\n", 1).replace("stated\n", "stated,\n"))
        with pytest.raises(DataError, match=r"unexpected column\(s\) \['comment'\]"):
            load_table(path)

    def test_non_numeric_percentage(self, bad_csv) -> None:
        """A percentage that is not a number names row and column."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,eight,"))
        with pytest.raises(DataError, match="share_pct") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:3:")
        assert " — " in str(info.value)

    def test_out_of_range_percentage(self, bad_csv) -> None:
        """A percentage above 100 is outside the schema's range."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,180,"))
        with pytest.raises(DataError, match="outside the allowed range") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:3:")

    def test_empty_required_cell(self, bad_csv) -> None:
        """An empty required cell names its row and column."""
        path = bad_csv(lambda t: t.replace("south_america,South America", "south_america,"))
        with pytest.raises(DataError, match="'region': the cell is empty but required") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:2:")

    def test_duplicate_key(self, bad_csv) -> None:
        """Two rows with the same key: the second one is named."""
        path = bad_csv(lambda t: t.replace("north_america,North America,3", "south_america,North America,3"))
        with pytest.raises(DataError, match=r"duplicate key \(slug\) = \(south_america\)") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:")

    def test_wrong_number_of_cells(self, bad_csv) -> None:
        """A row with a stray comma is named."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,8,,"))
        with pytest.raises(DataError, match="row has 8 cells, the header has 7") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:")

    def test_value_outside_enum(self, bad_csv) -> None:
        """A flag the schema does not allow is refused."""
        path = bad_csv(lambda t: t.replace("112,stated", "112,guessed"))
        with pytest.raises(DataError, match="'flag': 'guessed' is not one of"):
            load_table(path)


def test_cited_pages_are_ordered_by_number() -> None:
    """The pages a data file cites come out once each, in page order, with ranges kept."""
    from perrypress.data import cited_pages

    assert cited_pages(load_table(DATA / "regions.csv")) == "12–13, 34, 99 and 112"
    assert cited_pages(load_table(DATA / "structures.csv")) == "48 and 115"


class TestCountryRegions:
    """The map's countries are in the regions of UNODC's Global Report, and every doubtful row says why."""

    @pytest.fixture
    def countries(self):
        """The country table as the build reads it, by name."""
        return load_table(DATA / "country-regions.csv").set_index("name")

    def test_north_america_is_canada_mexico_and_the_united_states(self, countries) -> None:
        """UNODC's North America subregion: Canada, Mexico, the United States (and Puerto Rico, a doubtful row)."""
        assert countries.loc["Mexico", "region"] == "North America"
        assert countries.loc["Mexico", "basis"] == "unodc2022"
        members = set(countries[(countries["region"] == "North America")
                                & (countries["basis"] == "unodc2022")].index)
        assert members == {"Canada", "Mexico", "United States of America"}

    def test_doubtful_rows_have_their_reason_in_the_schema(self, countries) -> None:
        """The rows marked doubtful are exactly those the schema's 'doubtful:' section explains."""
        reasons = load_schema(schema_path(DATA / "country-regions.csv"))["doubtful"]
        assert set(countries[countries["basis"] == "doubtful"].index) == set(reasons)
        assert all(isinstance(reason, str) and len(reason) > 20 for reason in reasons.values())

    def test_rows_without_region_have_basis_none(self, countries) -> None:
        """Only the unmapped features (Antarctica, French Southern Lands) have no region, and basis 'none'."""
        assert set(countries[countries["basis"] == "none"].index) == set(countries[countries["region"].isna()].index)


class TestEncodings:
    """CSVs as spreadsheets save them are read; a CSV that is not UTF-8 is named with the line to fix."""

    @pytest.mark.parametrize("name", CSVS)
    def test_bom_and_crlf_read_the_same(self, tmp_path: Path, name: str) -> None:
        """Each data file saved as Excel's "CSV UTF-8" (BOM, CRLF) gives the same frame as the original."""
        shutil.copy(schema_path(DATA / name), tmp_path / schema_path(DATA / name).name)
        text = (DATA / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        assert load_table(tmp_path / name).equals(load_table(DATA / name))

    def test_windows_1252_names_file_and_line(self, bad_csv) -> None:
        """A Windows-1252 file ("CSV (Comma delimited)") names its first non-UTF-8 line and how to save it."""
        path = bad_csv(lambda t: t.replace("–", "-"))
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[3] = lines[3].replace("2009-2020/1", "2009–2020/1")
        path.write_bytes("".join(lines).encode("cp1252"))
        with pytest.raises(DataError, match="not UTF-8") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:")
        assert "CSV UTF-8" in str(info.value)


@pytest.mark.slow
def test_data_saved_by_a_spreadsheet_builds_the_same_editions(built, tmp_path: Path) -> None:
    """Every data CSV re-saved as Excel's "CSV UTF-8" (BOM, CRLF) builds byte-identical editions, tables, figure."""
    from conftest import copy_project
    from perrypress.verify import compare

    project = copy_project(tmp_path / "project")
    for path in sorted((project.root / "data").glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        assert "\r\n" not in text
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    project.snakemake()
    results = compare(built.root, project.root)
    assert {"_build/cybersex-trafficking-south-america.pdf", "figures/regions.svg"} <= {r.path for r in results}
    assert [r.path for r in results if not r.identical] == []

"""Data files: the data package validates, every row's provenance is a known work, bad cells are named."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pybtex.database import parse_file

from conftest import ROOT
from perrypress.sources.bibliography import SOURCE_COLUMNS, check_sources_table, source_row
from perrypress.sources.data_tables import load_table
from perrypress.sources.datapackage import check_package, foreign_key_fields, load_descriptor, primary_key, resource_of
from perrypress.errors import DataError

DATA = ROOT / "data"
PACKAGE = DATA / "datapackage.json"
CSVS = sorted(p.name for p in DATA.glob("*.csv"))
BIBS = {**parse_file(ROOT / "references.bib").entries, **parse_file(DATA / "sources.bib").entries}
KNOWN_KEYS = set(BIBS)


class TestPackage:
    """data/datapackage.json describes every CSV, and frictionless finds it valid."""

    def test_every_csv_is_a_resource(self) -> None:
        """Each CSV of data/ is a resource with a title, sources, licences and a primary key; there are no others."""
        resources = load_descriptor(PACKAGE)["resources"]
        assert sorted(r["path"] for r in resources) == CSVS
        for resource in resources:
            assert resource.get("title") and resource.get("sources") and resource.get("licenses"), resource["name"]
            assert primary_key(resource), resource["name"]
        assert load_descriptor(PACKAGE).get("licenses") and load_descriptor(PACKAGE).get("sources")
        assert not list(DATA.glob("*.schema.yaml")), "the package is the one description of the data"

    @pytest.mark.parametrize("name", CSVS)
    def test_every_data_file_reads(self, name: str) -> None:
        """Each CSV reads as its resource describes it, with at least one row."""
        assert len(load_table(DATA / name)) > 0

    def test_frictionless_validate_passes(self) -> None:
        """`frictionless validate data/datapackage.json` (the command, as a user runs it) passes."""
        command = Path(sys.executable).with_name("frictionless")
        result = subprocess.run([str(command), "validate", "--json", str(PACKAGE)], capture_output=True, text=True,
                                cwd=ROOT, timeout=120)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        assert json.loads(result.stdout)["valid"] is True

    def test_check_package_passes(self) -> None:
        """The build's validation passes and counts every row of every file."""
        counts = dict(check_package(PACKAGE, data_files=[DATA / "regions.csv"]))
        assert counts[str(DATA / "country-regions.csv")] == 177

    def test_provenance_columns_are_foreign_keys(self) -> None:
        """Every *_key column of the data is a foreign key into the sources table."""
        for resource in load_descriptor(PACKAGE)["resources"]:
            keys = [f["name"] for f in resource["schema"]["fields"] if f["name"].endswith("_key")]
            assert foreign_key_fields(resource) == keys, resource["name"]
        assert foreign_key_fields(resource_of(DATA / "regions.csv")) == ["source_key"]


@pytest.mark.parametrize("name", ["law.csv", "law-notes.csv", "structures.csv", "regions.csv", "statistics.csv"])
def test_provenance_names_a_known_work(name: str) -> None:
    """Every row of the tables', figure's and prose's data cites a work in references.bib or data/sources.bib."""
    frame = load_table(DATA / name)
    key_columns = foreign_key_fields(resource_of(DATA / name))
    assert key_columns, f"{name} has no provenance column"
    for column in key_columns:
        assert set(frame[column]) <= KNOWN_KEYS, f"{name}:{column}: {set(frame[column]) - KNOWN_KEYS}"


def test_sources_table_is_the_bibliographies_word_for_word() -> None:
    """data/sources.csv lists exactly the works the data cite, each as its .bib entry gives it."""
    cited = {v for name in CSVS for c in foreign_key_fields(resource_of(DATA / name))
             for v in load_table(DATA / name)[c].dropna()}
    with (DATA / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["key"] for r in rows} == cited
    for row in rows:
        assert {c: row[c] for c in SOURCE_COLUMNS} == source_row(BIBS[row["key"]]), row["key"]
    check_sources_table(DATA / "sources.csv", BIBS, "references.bib or data/sources.bib")


def test_sources_row_that_differs_from_its_entry_is_named(tmp_path: Path) -> None:
    """A title in sources.csv that is not the entry's names the cell and what the entry says."""
    path = tmp_path / "sources.csv"
    path.write_text((DATA / "sources.csv").read_text(encoding="utf-8").replace("Persons: 2022", "Persons 2022"),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'title': .* is not what the entry 'unodc2022' says — write ") as info:
        check_sources_table(path, BIBS, "references.bib")
    assert str(info.value).startswith(f"{path}:3:3:")


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


def copy_package(folder: Path) -> Path:
    """Copy data/'s package (descriptor and CSVs) into ``folder``; return the descriptor's path."""
    for name in [*CSVS, PACKAGE.name]:
        shutil.copy(DATA / name, folder / name)
    return folder / PACKAGE.name


@pytest.fixture
def bad_csv(tmp_path: Path):
    """Write a variant of data/regions.csv into a copy of the data package."""
    copy_package(tmp_path)
    original = (DATA / "regions.csv").read_text(encoding="utf-8")

    def write(transform, name: str = "regions.csv") -> Path:
        path = tmp_path / name
        path.write_text(transform(original if name == "regions.csv" else (DATA / name).read_text(encoding="utf-8")),
                        encoding="utf-8")
        return path

    return write


def validate(path: Path) -> None:
    """Validate the package that ``path`` belongs to, as the build's check_data step does."""
    check_package(path.parent / PACKAGE.name)


class TestSchemaErrors:
    """A CSV that breaks its Table Schema raises DataError naming the file, the spreadsheet row and the column."""

    def test_missing_column(self, bad_csv) -> None:
        """A header without a schema column is an error on row 1."""
        path = bad_csv(lambda t: t.replace("slug,", "", 1))
        with pytest.raises(DataError, match=r"missing column\(s\) \['slug'\]") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:1:")

    def test_extra_column(self, bad_csv) -> None:
        """A header with a column the schema lacks is an error."""
        path = bad_csv(lambda t: t.replace(",flag\n", ",flag,comment\n", 1).replace("stated\n", "stated,\n"))
        with pytest.raises(DataError, match=r"unexpected column\(s\) \['comment'\]"):
            validate(path)

    def test_non_numeric_percentage(self, bad_csv) -> None:
        """A percentage that is not a number names row and column."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,eight,"))
        with pytest.raises(DataError, match="share_pct") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:3:")
        assert " — " in str(info.value)

    def test_out_of_range_percentage(self, bad_csv) -> None:
        """A percentage above 100 is outside the schema's range."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,180,"))
        with pytest.raises(DataError, match="outside the allowed range") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:3:")

    def test_empty_required_cell(self, bad_csv) -> None:
        """An empty required cell names its row and column."""
        path = bad_csv(lambda t: t.replace("south_america,South America", "south_america,"))
        with pytest.raises(DataError, match="'region': the cell is empty but required") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:2:")

    def test_duplicate_key(self, bad_csv) -> None:
        """Two rows with the same key: the second one is named."""
        path = bad_csv(lambda t: t.replace("north_america,North America,3", "south_america,North America,3"))
        with pytest.raises(DataError, match=r"duplicate key \(slug\) = \(south_america\)") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:")

    def test_wrong_number_of_cells(self, bad_csv) -> None:
        """A row with a stray comma is named."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,8,,"))
        with pytest.raises(DataError, match="row has 8 cells, the header has 7") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:")

    def test_value_outside_enum(self, bad_csv) -> None:
        """A flag the schema does not allow is refused."""
        path = bad_csv(lambda t: t.replace("112,stated", "112,guessed"))
        with pytest.raises(DataError, match="'flag': 'guessed' is not one of") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:7:")

    def test_not_a_whole_number(self, bad_csv) -> None:
        """A page with a fraction in an integer column says so."""
        path = bad_csv(lambda t: t.replace(",48,", ",48.5,", 1), name="structures.csv")
        with pytest.raises(DataError, match=r"column 'definition_page': '48\.5' is not a whole number — "):
            validate(path)

    def test_not_finite(self, bad_csv) -> None:
        """NaN, which Table Schema's number type accepts, is not a number here (checked by hand)."""
        path = bad_csv(lambda t: t.replace("sa_women,87,", "sa_women,NaN,"), name="statistics.csv")
        with pytest.raises(DataError, match="column 'value': 'NaN' is not a number") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:2:2:")

    def test_unknown_provenance_key(self, bad_csv) -> None:
        """A provenance key that is not in sources.csv breaks the foreign key: file, row, column and fix."""
        path = bad_csv(lambda t: t.replace("South America,8,2009–2020/1,unodc2022,", "South America,8,2009–2020/1,nosuchwork2099,"))
        with pytest.raises(DataError, match=r"column 'source_key': 'nosuchwork2099' is not a key of .*sources\.csv — "
                                            r"correct the key, or add the work to sources\.csv") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:5:")

    def test_uncited_source(self, bad_csv) -> None:
        """A work in sources.csv that no data file cites is named, so the table cannot drift from the data."""
        path = bad_csv(lambda t: t + "kara2017,\"Kara, Siddharth\",Sex Trafficking,2017,\n", name="sources.csv")
        with pytest.raises(DataError, match="the work 'kara2017' is cited by no data file") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:1:")

    def test_malformed_quoting(self, bad_csv) -> None:
        """Text after a quoted cell's closing quote names the line to fix (checked by hand: frictionless reads on)."""
        path = bad_csv(lambda t: t.replace("South America,8,", '"South America"x,8,'))
        with pytest.raises(DataError, match="malformed CSV") as info:
            validate(path)
        assert str(info.value).startswith(f"{path}:4:")

    def test_trailing_blank_rows_are_skipped(self, bad_csv) -> None:
        """The empty rows a spreadsheet leaves at the end (",,,") are neither an error nor a row."""
        path = bad_csv(lambda t: t + ",,,,,,\n,,,,,,\n")
        validate(path)
        assert load_table(path).equals(load_table(DATA / "regions.csv"))

    def test_configured_file_outside_the_package(self, tmp_path: Path) -> None:
        """A configured data file the package does not describe is an error naming the package."""
        package = copy_package(tmp_path)
        with pytest.raises(DataError, match="not a resource of this package") as info:
            check_package(package, data_files=[tmp_path / "extra.csv"])
        assert str(info.value).startswith(f"{package}:")


    def test_broken_descriptor_is_named(self, tmp_path: Path) -> None:
        """A field type Table Schema does not know is an error naming datapackage.json and the type."""
        package = copy_package(tmp_path)
        package.write_text(package.read_text(encoding="utf-8").replace('"type": "integer"', '"type": "integr"', 1),
                           encoding="utf-8")
        with pytest.raises(DataError, match='not a valid data package: field type "integr" is not supported') as info:
            check_package(package)
        assert str(info.value).startswith(f"{package}:")


class TestReading:
    """Reading (pandas only, no frictionless) converts cells and names a cell it cannot convert."""

    def test_bad_number_is_named(self, bad_csv) -> None:
        """A cell that is not a number stops the reading with file, row and column."""
        path = bad_csv(lambda t: t.replace("South America,8,", "South America,eight,"))
        with pytest.raises(DataError, match="'share_pct': 'eight' is not a number") as info:
            load_table(path)
        assert str(info.value).startswith(f"{path}:4:3:")

    def test_csv_without_a_resource(self, tmp_path: Path) -> None:
        """A CSV the package beside it does not describe names the package and the fix."""
        copy_package(tmp_path)
        (tmp_path / "new.csv").write_text("a\n1\n", encoding="utf-8")
        with pytest.raises(DataError, match=r"datapackage\.json: no resource describes new\.csv — add a resource"):
            load_table(tmp_path / "new.csv")

    def test_reading_does_not_import_frictionless(self) -> None:
        """The steps that read data (tables, figures, variables) stay pandas-only: frictionless is check_data's."""
        code = ("import sys; from pathlib import Path; import perrypress.products.tables, perrypress.products.variables, perrypress.cli;"
                "from perrypress.sources.data_tables import load_table; load_table(Path('data/regions.csv'));"
                "assert 'frictionless' not in sys.modules")
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr


def test_cited_pages_are_ordered_by_number() -> None:
    """The pages a data file cites come out once each, in page order, with ranges kept."""
    from perrypress.sources.data_tables import cited_pages

    assert cited_pages(load_table(DATA / "regions.csv")) == "12–13, 34, 99 and 112"
    assert cited_pages(load_table(DATA / "structures.csv")) == "48 and 115"


def test_cited_pages_end_with_the_papers_and() -> None:
    """The last page follows the conjunction given (the paper's labels' `and`), English's when none is."""
    from perrypress.sources.data_tables import cited_pages

    assert cited_pages(load_table(DATA / "regions.csv"), conjunction="y") == "12–13, 34, 99 y 112"
    assert cited_pages(load_table(DATA / "structures.csv"), conjunction="y") == "48 y 115"


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

    def test_doubtful_rows_have_their_reason_in_the_package(self, countries) -> None:
        """The rows marked doubtful are exactly those the resource's 'doubtful' property explains."""
        reasons = resource_of(DATA / "country-regions.csv")["doubtful"]
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
        copy_package(tmp_path)
        text = (DATA / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        assert load_table(tmp_path / name).equals(load_table(DATA / name))
        check_package(tmp_path / PACKAGE.name)

    def test_windows_1252_names_file_and_line(self, bad_csv) -> None:
        """A Windows-1252 file ("CSV (Comma delimited)") names its first non-UTF-8 line and how to save it."""
        path = bad_csv(lambda t: t.replace("–", "-"))
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[3] = lines[3].replace("2009-2020/1", "2009–2020/1")
        path.write_bytes("".join(lines).encode("cp1252"))
        for read in (load_table, validate):
            with pytest.raises(DataError, match="not UTF-8") as info:
                read(path)
            assert str(info.value).startswith(f"{path}:4:")
            assert "CSV UTF-8" in str(info.value)


@pytest.mark.slow
def test_data_saved_by_a_spreadsheet_builds_the_same_editions(built, tmp_path: Path) -> None:
    """Every data CSV re-saved as Excel's "CSV UTF-8" (BOM, CRLF) builds byte-identical editions, tables, figure.

    The one exception is the DOCX's record of its sources' bytes (absorb's ``perrypress-sources``),
    which names the re-saved files: the DOCX is otherwise identical, part for part.
    """
    from conftest import copy_project
    from perrypress.review.compare import content_digest
    from perrypress.verify import compare

    project = copy_project(tmp_path / "project")
    for path in sorted((project.root / "data").glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        assert "\r\n" not in text
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    project.snakemake()
    results = compare(built.root, project.root)
    assert {"_build/cybersex-trafficking-south-america.pdf", "figures/regions.svg"} <= {r.path for r in results}
    differ = [r.path for r in results if not r.identical]
    docx = [name for name in differ if name.endswith(".docx")]
    assert [name for name in differ if name not in docx] == []
    for name in docx:
        assert content_digest(built.root / name) == content_digest(project.root / name), name

"""Variables: the numbers the prose quotes come from the data files, as config/config.yaml declares them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from perrypress.sources.config import load_config
from perrypress.errors import ConfigError, DataError, DocumentError
from perrypress.products.variables import compute, number_words, paper_language

CONFIG = ROOT / "config" / "config.yaml"


@pytest.mark.parametrize(("value", "words"), [(0, "zero"), (2, "two"), (11, "eleven"), (21, "twenty-one"),
                                              (94, "ninety-four"), (100, "one hundred"), (8.5, "8.5"),
                                              (101, "101")])
def test_number_words(value: float, words: str) -> None:
    """Whole numbers up to 100 are spelled out; others stay figures."""
    assert number_words(value) == words


def test_variables_from_data() -> None:
    """The prose's numbers: regional shares, victim shares, and Table 2's sums."""
    config = load_config(CONFIG, root=ROOT)
    variables = compute(config["variables"], root=ROOT, language=paper_language(ROOT / "report.qmd"))
    assert variables["regions"]["south_america"] == {"pct": "8", "words": "eight"}
    assert variables["regions"]["all_regions"]["words"] == "two"
    assert variables["stats"]["sa_women"]["pct"] == "87"
    assert variables["structures"]["organised"]["pct"] == "94"
    assert variables["structures"]["individual"]["words"] == "six"
    assert "central_america_caribbean" not in variables["regions"]  # no value: no variable


def test_nothing_paper_specific_in_the_code() -> None:
    """The module names no group, file or column of this paper: they are all configuration."""
    code = (ROOT / "src" / "perrypress" / "products" / "variables.py").read_text(encoding="utf-8")
    for word in ("regions", "structures", "stats", "statistics", "share_pct", "organised", "percent"):
        assert word not in code, word


# A small data package for the tests below: rows with a key, a number column (one empty), a flag.
CSV = "slug,group,share,flag,source_key\nalpha,a,21,yes,w\nbeta,a,12.5,no,w\ngamma,b,,yes,w\ndelta,b,60,yes,w\n"
PACKAGE = {"resources": [{"name": "shares", "path": "shares.csv", "schema": {"fields": [
    {"name": "slug", "type": "string"}, {"name": "group", "type": "string"}, {"name": "share", "type": "number"},
    {"name": "flag", "type": "string"}, {"name": "source_key", "type": "string"}]}}]}


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A project folder with data/shares.csv described by data/datapackage.json, and a config file."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "shares.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "data" / "datapackage.json").write_text(json.dumps(PACKAGE), encoding="utf-8")
    return tmp_path


def configured(paper: Path, text: str) -> tuple[dict, Path]:
    """The ``variables:`` block ``text`` written to the paper's config/config.yaml, and read back."""
    import yaml

    path = paper / "config" / "config.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return yaml.safe_load(text)["variables"], path


class TestDeclared:
    """Groups declared in config: one number per row, or sums; in the paper's language."""

    def test_one_number_per_row(self, paper: Path) -> None:
        """`key` names each number, `value` gives it; a row with no value gives no variable."""
        spec, path = configured(paper, "variables:\n  shares: {data: data/shares.csv, key: slug, value: share}\n")
        variables = compute(spec, root=paper, config=path)
        assert variables == {"shares": {"alpha": {"pct": "21", "words": "twenty-one"},
                                        "beta": {"pct": "12.5", "words": "12.5"},
                                        "delta": {"pct": "60", "words": "sixty"}}}

    def test_sums_over_matching_rows(self, paper: Path) -> None:
        """A sum adds a column over the rows where every named column has its value (or one of a list)."""
        spec, path = configured(paper, """variables:
  totals:
    data: data/shares.csv
    sums:
      flagged: {column: share, where: {flag: "yes"}}
      a_unflagged: {column: share, where: {group: a, flag: "no"}}
      both: {column: share, where: {group: [a, b]}}
      everything: {column: share}
""")
        totals = compute(spec, root=paper, config=path)["totals"]
        assert totals["flagged"] == {"pct": "81", "words": "eighty-one"}  # 21 + 60 (gamma is empty)
        assert totals["a_unflagged"]["pct"] == "12.5"
        assert totals["both"]["pct"] == totals["everything"]["pct"] == "93.5"

    def test_spanish_words_and_decimal_comma(self, paper: Path) -> None:
        """In a Spanish paper the words are Spanish; `decimal_mark` sets the figures' mark."""
        spec, path = configured(paper, "variables:\n  shares: {data: data/shares.csv, key: slug, value: share,"
                                       " decimal_mark: ','}\n")
        shares = compute(spec, root=paper, language="es", config=path)["shares"]
        assert shares["alpha"] == {"pct": "21", "words": "veintiuno"}
        assert shares["beta"] == {"pct": "12,5", "words": "12,5"}
        assert shares["delta"]["words"] == "sesenta"

    def test_figure_alt_texts_beside_the_groups(self, paper: Path) -> None:
        """The figures' alt texts are written as figures.<slug>.alt."""
        spec, path = configured(paper, "variables: {}\n")
        assert compute(spec, root=paper, alt_texts={"cases": "A chart"}, config=path) == \
            {"figures": {"cases": {"alt": "A chart"}}}


class TestErrors:
    """What a misconfigured group says: the config line, the file, and its columns."""

    @pytest.mark.parametrize(("block", "key"), [
        ("  shares: {data: data/shares.csv, key: name, value: share}\n", "variables.shares.key: 'name'"),
        ("  shares: {data: data/shares.csv, key: slug, value: pct}\n", "variables.shares.value: 'pct'"),
        ("  s:\n    data: data/shares.csv\n    sums:\n      t: {column: total}\n", "variables.s.sums.t.column: 'total'"),
        ("  s:\n    data: data/shares.csv\n    sums:\n      t: {column: share, where: {organized: \"yes\"}}\n",
         "variables.s.sums.t.where.organized: 'organized'"),
    ])
    def test_unknown_column(self, paper: Path, block: str, key: str) -> None:
        """A column the file lacks is named with its config line, the file and the columns it has."""
        spec, path = configured(paper, "variables:\n" + block)
        with pytest.raises(ConfigError) as info:
            compute(spec, root=paper, config=path)
        message = str(info.value)
        assert f"{key} is not a column of data/shares.csv" in message
        assert "use one of its columns: slug, group, share, flag, source_key" in message
        assert message.startswith(f"{path}:{len(block.splitlines()) + 1}:")

    def test_unquoted_yes(self, paper: Path) -> None:
        """`where: {flag: yes}` (YAML's true) is refused with how to quote it."""
        spec, path = configured(paper, "variables:\n  s:\n    data: data/shares.csv\n    sums:\n"
                                       "      t: {column: share, where: {flag: yes}}\n")
        with pytest.raises(ConfigError, match='quote it as the CSV writes it, e.g. "yes"'):
            compute(spec, root=paper, config=path)

    def test_no_matching_row(self, paper: Path) -> None:
        """A sum no row matches is an error naming the file and the condition."""
        spec, path = configured(paper, "variables:\n  s:\n    data: data/shares.csv\n    sums:\n"
                                       "      t: {column: share, where: {group: c}}\n")
        with pytest.raises(DataError, match=r"shares.csv: no row has group = c \(variables.s.sums.t\)"):
            compute(spec, root=paper, config=path)

    def test_a_key_on_two_rows(self, paper: Path) -> None:
        """Two rows with one key would give one variable two numbers: the second is named by row."""
        spec, path = configured(paper, "variables:\n  s: {data: data/shares.csv, key: group, value: share}\n")
        with pytest.raises(DataError, match=r"shares.csv:3:2: column 'group': 'a' names two rows"):
            compute(spec, root=paper, config=path)

    def test_the_figures_group_is_taken(self, paper: Path) -> None:
        """`figures` holds the alt texts: a group of that name is refused."""
        spec, path = configured(paper, "variables:\n  figures: {data: data/shares.csv, key: slug, value: share}\n")
        with pytest.raises(ConfigError, match=r"config.yaml:2: variables.figures: the group name is taken"):
            compute(spec, root=paper, config=path)

    @pytest.mark.parametrize(("old", "new", "message"), [
        ("stats: {data: data/statistics.csv, key: slug, value: value}",
         "stats: {data: data/statistics.csv, key: slug}", "stats: value is missing"),
        ("stats: {data: data/statistics.csv, key: slug, value: value}",
         "stats: {data: data/statistics.csv, key: slug, value: value, sum: {}}", "stats.sum: not a key here — did you mean 'sums'"),
        ("organised: {column: percent, where: {organised: \"yes\"}}",
         "organised: {columns: percent}", "columns: not a key here — did you mean 'column'"),
    ])
    def test_schema(self, tmp_path: Path, old: str, new: str, message: str) -> None:
        """The configuration's schema refuses a group without its keys, or with a misspelt one, on its line."""
        text = CONFIG.read_text(encoding="utf-8")
        assert old in text
        path = tmp_path / "config.yaml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config(path, root=ROOT)


class TestLanguage:
    """The words follow report.qmd's `lang:`."""

    @pytest.mark.parametrize(("lang", "language"), [("es-ES", "es"), ("en-US", "en"), ("es", "es"), (None, "en")])
    def test_from_the_report(self, tmp_path: Path, lang: str | None, language: str) -> None:
        """es-ES spells in Spanish, en-US (or no lang) in English."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\n" + (f"lang: {lang}\n" if lang else "") + "---\n", encoding="utf-8")
        assert paper_language(report) == language

    def test_a_language_with_no_words(self, tmp_path: Path) -> None:
        """A language numbers cannot be spelled in is refused on its line of report.qmd."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\nlang: fr-FR\n---\n", encoding="utf-8")
        with pytest.raises(DocumentError, match=r"report.qmd:3: metadata: numbers cannot be spelled out in lang"):
            paper_language(report)

    def test_this_paper_is_english(self) -> None:
        """This repository's paper is in English."""
        assert paper_language(ROOT / "report.qmd") == "en"

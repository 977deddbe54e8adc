"""A Spanish paper (scaffolded with `perrypress new --lang es`) published to the real WordPress: every word the
bundle's page and the entry add is the paper's language's label, none is English."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from typing import Any

import pytest

from perrypress.sources.labels import table

from conftest import build_env, write_spanish_paper

from .bundles import publish, record
from .test_wordpress import entries


@pytest.fixture(scope="module")
def spanish_entry(wordpress: Any, stand_in_photographs: Any, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The Spanish test paper released (`perrypress publish`) and published; its entry as the REST API shows it."""
    project = write_spanish_paper(tmp_path_factory.mktemp("spanish-entry") / "paper")
    stand_in_photographs(project.root)
    bundle = publish(project)

    def push() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "perrypress.cli", "publish", "wordpress", "--url", wordpress.url],
                              cwd=project.root, capture_output=True, text=True, env={**build_env(), **wordpress.env()})

    # The scaffold names the Center's site (publish: in config/config.yaml). Without that block, the run
    # says so and what to add (the site's names), and writes nothing.
    config = project.root / "config" / "config.yaml"
    scaffolded = config.read_text(encoding="utf-8")
    config.write_text(scaffolded[:scaffolded.index("publish:\n")], encoding="utf-8")
    result = push()
    assert result.returncode == 1 and "publish.wordpress: not set" in result.stderr, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    config.write_text(scaffolded, encoding="utf-8")
    result = push()
    assert result.returncode == 0, result.stdout + result.stderr
    [entry] = entries(wordpress, record(bundle)["slug"])
    entry["bundle"] = bundle
    return entry


def words(fragment: str) -> str:
    """The text of an HTML fragment, tags gone, entities decoded, spaces normalised."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.slow  # a release build of the Spanish paper
def test_spanish_entry_is_all_spanish(spanish_entry: dict) -> None:
    """The data list's heading and sentence, the data notes and the citation links are Spanish labels; no English
    label is left in the article's text (its bibliography aside: cited works keep their own titles)."""
    es, en = table("es"), table("en")
    raw = spanish_entry["content"]["raw"]
    [section] = re.findall(r'<section class="data-files".*?</section>', raw, flags=re.S)
    assert re.search(rf"<h2[^>]*>{re.escape(html.escape(es['data']))}</h2>", section)
    assert words(section).startswith(f"{es['data']} {es['data-files']}")
    notes = re.findall(r'<p class="data-note">(.*?)</p>', raw, flags=re.S)
    assert notes, "no data note under the tables and figures"
    for note in notes:
        assert words(note).startswith(f"{es['data']}: ") and f"({es['data-described']} " in words(note)
    assert f"{es['download']} " in words(" ".join(re.findall(r'<a class="cite-download".*?</a>', raw, flags=re.S)))
    article = re.sub(r'<div id="refs".*?</div>\s*</div>|<section[^>]*id="bibliography".*?</section>', "", raw, flags=re.S)
    text = words(re.sub(r"<(script|style)\b.*?</\1>", "", article, flags=re.S))
    english = [value for key, value in en.items() if isinstance(value, str) and len(value) > 3
               and value != es.get(key) and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text)]
    assert not english, f"English words in the Spanish entry: {english}"
    # The bundle's own page too.
    page = (spanish_entry["bundle"] / "index.html").read_text(encoding="utf-8")
    assert all(words(n).startswith(f"{es['data']}: ") for n in re.findall(r'<p class="data-note">(.*?)</p>', page, flags=re.S))
    # The bundle's BibTeX download gives the month in Spanish, as the page's "Cite this paper" does.
    [bib] = (spanish_entry["bundle"] / "cite").glob("*.bib")
    [month] = re.findall(r'month = [{"]?([^,}"\n]+)', bib.read_text(encoding="utf-8"))
    assert month in es["months"] and month not in en["months"], month

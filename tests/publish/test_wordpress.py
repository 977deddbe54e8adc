"""`perrypress publish wordpress` against a real WordPress (Debian's package on MariaDB, served on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from .bundles import bundle_of, publish, record, with_slug
from readers import normalise, source_paragraphs


@pytest.fixture
def push(wordpress: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A function running `perrypress publish wordpress` in a project, with the test user's credentials."""
    def run(project: Any, *args: str, password: str | None = None) -> Any:
        for name, value in wordpress.env(password=password).items():
            monkeypatch.setenv(name, value)
        return project.perrypress("publish", "wordpress", "--url", wordpress.url, *args)
    return run


def entries(wordpress: Any, slug: str) -> list[dict]:
    """The entries with ``slug``, any status, as the REST API shows them to an editor."""
    return wordpress.get("/wp/v2/publications", slug=slug, status="any")


def media(wordpress: Any) -> list[dict]:
    """Every media item on the site."""
    return wordpress.get("/wp/v2/media", per_page=100)


def term_names(wordpress: Any, taxonomy: str, ids: list[int]) -> list[str]:
    """The names of the terms ``ids`` of ``taxonomy``."""
    return sorted(t["name"] for t in wordpress.get(f"/wp/v2/{taxonomy}", include=",".join(map(str, ids)))) if ids else []


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def first_sentence(project: Any) -> str:
    """The paper's first sentence, from its first section's source."""
    paragraphs = source_paragraphs(project.root)
    first = paragraphs[sorted(paragraphs)[0]][0]
    return normalise(first.split(". ")[0])


def test_publish_creates_the_entry_with_every_field(entry_project: Any, wordpress: Any, push: Any) -> None:
    """The entry has the record's fields; its downloads are the bundle's bytes; its page shows title and first sentence."""
    bundle = bundle_of(entry_project)
    wanted = record(bundle)
    result = push(entry_project, "--status", "publish")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "created entry" in result.stdout
    [entry] = entries(wordpress, wanted["slug"])
    assert entry["status"] == "publish"
    assert entry["title"]["raw"].startswith(wanted["title"])
    assert normalise(entry["excerpt"]["raw"]) == normalise(wanted["summary"])
    assert "<script" not in entry["content"]["raw"] and "<style" not in entry["content"]["raw"]
    assert 'id="footnotes"' in entry["content"]["raw"] and 'id="bibliography"' in entry["content"]["raw"]
    assert term_names(wordpress, "publication_category", entry["publication_category"]) == [wanted["category"]]
    assert term_names(wordpress, "publication_topic", entry["publication_topic"]) == sorted(wanted["topics"])
    assert term_names(wordpress, "publication_country", entry["publication_country"]) == sorted(wanted["countries"])
    assert term_names(wordpress, "publication_language", entry["publication_language"]) == [wanted["language"]]
    meta = entry["meta"]
    assert meta["publication_authors"] == "; ".join(wanted["authors"]) and meta["publication_year"] == wanted["year"]
    for key, name in (("publication_pdf", wanted["files"]["pdf"]), ("publication_docx", wanted["files"]["docx"])):
        assert meta[key] in entry["content"]["raw"], f"the article's download link is not {key}"
        download = requests.get(meta[key], timeout=30)
        assert download.status_code == 200 and digest(download.content) == digest((bundle / name).read_bytes())
    featured = wordpress.get(f"/wp/v2/media/{entry['featured_media']}")
    png = bundle / wanted["files"]["figures"]["regions"]
    assert digest(requests.get(featured["source_url"], timeout=30).content) == digest(png.read_bytes())
    assert f'src="{featured["source_url"]}"' in entry["content"]["raw"], "Figure 1 in the content is not the upload"
    page = requests.get(entry["link"], timeout=30)
    assert page.status_code == 200
    text = normalise(html.unescape(re.sub(r"<[^>]+>", " ", page.text)))
    assert normalise(wanted["title"]) in text
    assert first_sentence(entry_project) in text


def test_publish_again_changes_nothing(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A second run of the same bundle uploads nothing, keeps the entry's id and says so."""
    assert push(entry_project).returncode == 0
    slug = record(bundle_of(entry_project))["slug"]
    [before] = entries(wordpress, slug)
    uploads = media(wordpress)
    result = push(entry_project)
    assert result.returncode == 0, result.stderr
    assert "no changes" in result.stdout and "uploaded" not in result.stdout
    [after] = entries(wordpress, slug)
    assert after["id"] == before["id"] and after["modified_gmt"] == before["modified_gmt"]
    assert media(wordpress) == uploads


def test_dry_run_changes_nothing(entry_project: Any, wordpress: Any, push: Any) -> None:
    """--dry-run lists the uploads and the entry it would create, and the site stays as it was."""
    uploads = media(wordpress)
    result = push(entry_project, "--dry-run")
    assert result.returncode == 0, result.stderr
    bundle = bundle_of(entry_project)
    files = record(bundle)["files"]
    for name in (files["pdf"], files["docx"], Path(files["figures"]["regions"]).name):
        assert f"would upload {name}" in result.stdout
    assert "would create entry" in result.stdout
    assert media(wordpress) == uploads
    assert entries(wordpress, record(bundle)["slug"]) == []


def test_wrong_password_exits_1_and_changes_nothing(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A wrong Application Password is a clear one-line error (HTTP 401), not a traceback, and nothing is uploaded."""
    uploads = media(wordpress)
    wrong = "abcd efgh ijkl mnop qrst uvwx"
    result = push(entry_project, password=wrong)
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr and "PERRYPRESS_WP_APP_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr
    assert wrong not in result.stdout + result.stderr and wordpress.app_password not in result.stdout + result.stderr
    assert media(wordpress) == uploads
    assert entries(wordpress, record(bundle_of(entry_project))["slug"]) == []


def test_failure_after_uploads_leaves_the_entry_and_lists_orphans(entry_project: Any, wordpress: Any,
                                                                  push: Any) -> None:
    """If the entry update is refused after a new PDF was uploaded, the live entry is unchanged; --cleanup removes the orphan."""
    assert push(entry_project).returncode == 0
    slug = record(bundle_of(entry_project))["slug"]
    [before] = entries(wordpress, slug)
    # A new PDF (one more comment line at the end is still a valid PDF): the next run must upload it.
    pdf = entry_project.edition("pdf")
    pdf.write_bytes(pdf.read_bytes() + b"%changed\n")
    with_slug(entry_project, slug)
    wordpress.php("update_option('perrypress_test_refuse_entry', 1);")
    try:
        result = push(entry_project)
    finally:
        wordpress.php("delete_option('perrypress_test_refuse_entry');")
    assert result.returncode == 1
    assert "Entry refused by the test" in result.stderr and "orphans" in result.stderr
    assert "cybersex-trafficking-south-america" in result.stderr.split("orphans", 1)[1]
    [after] = entries(wordpress, slug)
    assert after["modified_gmt"] == before["modified_gmt"] and after["meta"] == before["meta"]
    assert after["content"]["raw"] == before["content"]["raw"]
    count = len(media(wordpress))
    cleaned = push(entry_project, "--cleanup")
    assert cleaned.returncode == 0 and "deleted upload" in cleaned.stdout
    assert len(media(wordpress)) == count - 1
    for key in ("publication_pdf", "publication_docx"):
        assert requests.get(after["meta"][key], timeout=30).status_code == 200


def test_missing_post_type_names_the_config_key(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A post type the site does not have is the REST route's 404, named with the configuration key to fix."""
    config = entry_project.root / "config/config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("rest_base: publications", "rest_base: documents"),
                      encoding="utf-8")
    result = push(entry_project)
    assert result.returncode == 1
    assert "/wp-json/wp/v2/documents" in result.stderr and "publish.wordpress.rest_base" in result.stderr


@pytest.mark.slow
def test_changed_sentence_updates_content_and_reuses_media(entry_project: Any, wordpress: Any, push: Any) -> None:
    """After one sentence changes: the content changes, the figure is reused, the PDF is a new upload."""
    assert push(entry_project).returncode == 0
    slug = record(bundle_of(entry_project))["slug"]
    [before] = entries(wordpress, slug)
    section = sorted((entry_project.root / "sections").glob("*.qmd"))[-1]
    section.write_text(section.read_text(encoding="utf-8") + "\nA sentence added for the publishing test.\n",
                       encoding="utf-8")
    bundle = publish(entry_project)
    result = push(entry_project)
    assert result.returncode == 0, result.stderr
    assert "updated entry" in result.stdout and "reused regions.png" in result.stdout
    [after] = entries(wordpress, slug)
    assert after["id"] == before["id"]
    assert "A sentence added for the publishing test." in after["content"]["raw"]
    assert after["featured_media"] == before["featured_media"]
    assert after["meta"]["publication_pdf"] != before["meta"]["publication_pdf"]
    download = requests.get(after["meta"]["publication_pdf"], timeout=30).content
    assert digest(download) == digest((bundle / record(bundle)["files"]["pdf"]).read_bytes())

"""`perrypress publish wordpress` against a real WordPress (Debian's package on MariaDB, served on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from perrypress.publish.entry_page import FILES

from .bundles import bundle_of, publish, record, with_slug
from readers import normalise, source_paragraphs


@pytest.fixture
def push(wordpress: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A function running `perrypress publish wordpress` in a project, with the test user's credentials."""
    def run(project: Any, *args: str, password: str | None = None, user: str | None = None) -> Any:
        for name, value in wordpress.env(password=password, user=user).items():
            monkeypatch.setenv(name, value)
        return project.perrypress("publish", "wordpress", "--url", wordpress.url, *args)
    return run


def entries(wordpress: Any, slug: str) -> list[dict]:
    """The entries with ``slug``, any status, as the REST API shows them to an editor."""
    return wordpress.get("/wp/v2/publications", slug=slug, status="any")


def media(wordpress: Any) -> list[dict]:
    """Every media item on the site (page by page: a session's tests upload more than 100)."""
    found: list[dict] = []
    page = 1
    while True:
        try:
            batch = wordpress.get("/wp/v2/media", per_page=100, page=page, orderby="id", order="asc")
        except requests.HTTPError:  # a page past the last (the count was a multiple of 100)
            return found
        found += batch
        if len(batch) < 100:
            return found
        page += 1


def term_names(wordpress: Any, taxonomy: str, ids: list[int]) -> list[str]:
    """The names of the terms ``ids`` of ``taxonomy``."""
    return sorted(t["name"] for t in wordpress.get(f"/wp/v2/{taxonomy}", include=",".join(map(str, ids)))) if ids else []


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def serves_outdated(url: str, current: bytes, *, published: bool = True) -> bool:
    """Whether ``url`` (redirects followed) answers with a PDF other than ``current``. A deleted upload's address
    redirects to the current PDF (the perrypress-editions mu-plugin, for a published entry) or gets the site's 404
    handling (here: the home page), never the outdated file."""
    answer = requests.get(url, timeout=30)
    if published:
        assert answer.status_code == 200 and answer.content == current, f"{url} does not give the current PDF"
    return answer.status_code == 200 and answer.content.startswith(b"%PDF") and answer.content != current


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
    raw = entry["content"]["raw"]
    assert raw.startswith("<!-- wp:html -->") and raw.rstrip().endswith("<!-- /wp:html -->")
    assert raw.count("<!-- wp:") == 1, "the content is more than one block"
    [style] = re.findall(r"<style>(.*?)</style>", raw, flags=re.S)
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", style) for s in rule.split(",")]
    assert selectors and all(s.startswith(".perrypress-paper") for s in selectors), "a style is not scoped"
    assert re.findall(r"<script\b[^>]*>", raw) == ['<script type="application/ld+json">']
    shown = FILES.sub("", re.sub(r"<script.*?</script>", "", raw, flags=re.S))  # the comment's roles: data:<name>
    assert "data:" not in shown.replace("data-", "")
    assert "<h1" not in raw
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
    assert featured["media_type"] == "image" and featured["alt_text"] and featured["post"] == entry["id"]
    assert f'src="{featured["source_url"]}"' in entry["content"]["raw"], "the featured image is not in the content"
    png = bundle / wanted["files"]["figures"]["regions"]
    [figure] = [m for m in wordpress.get("/wp/v2/media", search=digest(png.read_bytes())) if m["post"] == entry["id"]]
    assert digest(requests.get(figure["source_url"], timeout=30).content) == digest(png.read_bytes())
    assert f'src="{figure["source_url"]}"' in entry["content"]["raw"], "Figure 1 in the content is not the upload"
    assert figure["alt_text"].startswith("World map") and "Figure from" not in figure["alt_text"]
    for csv in (bundle / "data").glob("*.csv"):
        [upload] = [m for m in wordpress.get("/wp/v2/media", search=digest(csv.read_bytes()))
                    if m["post"] == entry["id"]]
        assert upload["source_url"] in entry["content"]["raw"], f"{csv.name} is not linked"
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
    assert "Entry refused by the test" in result.stderr and "What the site holds now:" in result.stderr
    holds = result.stderr.split("What the site holds now:", 1)[1]
    assert f"entry {before['id']}" in holds and "unchanged, showing release" in holds
    assert "cybersex-trafficking-south-america.pdf" in holds.split("uploaded for release", 1)[1]
    [after] = entries(wordpress, slug)
    assert after["modified_gmt"] == before["modified_gmt"] and after["meta"] == before["meta"]
    assert after["content"]["raw"] == before["content"]["raw"]
    count = len(media(wordpress))
    dry = push(entry_project, "--cleanup", "--dry-run")
    assert dry.returncode == 0 and "would delete upload" in dry.stdout and "nothing was changed" in dry.stdout
    assert len(media(wordpress)) == count, "--cleanup --dry-run deleted"
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
    # The previous release's PDF is gone: an old link does not serve an outdated edition.
    assert not serves_outdated(before["meta"]["publication_pdf"], download, published=False)  # a draft


def new_pdf(project: Any, slug: str, text: bytes = b"%changed\n") -> Path:
    """A new release of ``project`` (its PDF changed), bundle re-assembled; return the bundle."""
    pdf = project.edition("pdf")
    pdf.write_bytes(pdf.read_bytes() + text)
    return with_slug(project, slug)


def test_author_account_is_refused_up_front(entry_project: Any, wordpress: Any, push: Any) -> None:
    """An account without unfiltered_html (an Author) is refused before any write, naming the capability."""
    uploads = media(wordpress)
    result = push(entry_project, user="author", password=wordpress.author_password)
    assert result.returncode == 1, result.stdout
    assert "'unfiltered_html' capability" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert media(wordpress) == uploads
    assert entries(wordpress, record(bundle_of(entry_project))["slug"]) == []


def test_term_with_an_ampersand(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A topic with "&" (stored by WordPress as "&amp;") is created once and found again: the second run changes nothing."""
    report = entry_project.root / "report.qmd"
    text = report.read_text(encoding="utf-8")
    report.write_text(re.sub(r"(?m)^(  topics:\s*\[)", r"\1Drugs & Crime, ", text, count=1)
                      if re.search(r"(?m)^  topics:\s*\[", text) else
                      re.sub(r"(?m)^(  topics:\n)", "\\1    - Drugs & Crime\n", text, count=1), encoding="utf-8")
    slug = record(bundle_of(entry_project))["slug"]
    bundle = with_slug(entry_project, slug)
    assert "Drugs & Crime" in record(bundle)["topics"]
    first = push(entry_project)
    assert first.returncode == 0, first.stderr
    dry = push(entry_project, "--dry-run")
    assert dry.returncode == 0 and "create term" not in dry.stdout and "no changes" in dry.stdout, dry.stdout
    again = push(entry_project)
    assert again.returncode == 0 and "no changes" in again.stdout, again.stdout + again.stderr
    terms = [t for t in wordpress.get("/wp/v2/publication_topic", per_page=100) if "Crime" in t["name"]]
    assert [t["name"] for t in terms] == ["Drugs &amp; Crime"]
    [entry] = entries(wordpress, slug)
    assert terms[0]["id"] in entry["publication_topic"]


def test_unknown_meta_key_is_refused_before_any_write(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A meta key the site does not register is refused before anything is written, naming the configuration key."""
    config = entry_project.root / "config/config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("authors: publication_authors",
                                                                 "authors: publication_writers"), encoding="utf-8")
    uploads = media(wordpress)
    result = push(entry_project)
    assert result.returncode == 1
    assert "meta key 'publication_writers'" in result.stderr and "publish.wordpress.meta.authors" in result.stderr
    assert "nothing was written" in result.stderr
    assert media(wordpress) == uploads
    assert entries(wordpress, record(bundle_of(entry_project))["slug"]) == []


def test_entry_edited_on_the_site_stops_until_forced(entry_project: Any, wordpress: Any, push: Any) -> None:
    """An entry edited in WordPress is not overwritten silently: the run stops naming the fields; --force restores."""
    assert push(entry_project).returncode == 0
    slug = record(bundle_of(entry_project))["slug"]
    [entry] = entries(wordpress, slug)
    wordpress.php(f"wp_update_post(['ID' => {entry['id']}, 'post_title' => 'Edited on the site', "
                  "'post_excerpt' => 'An editor wrote this.']);")
    result = push(entry_project)
    assert result.returncode == 1
    assert f"entry {entry['id']}" in result.stderr and "was edited on" in result.stderr
    assert "excerpt" in result.stderr and "title" in result.stderr and "--force" in result.stderr
    [kept] = entries(wordpress, slug)
    assert kept["title"]["raw"] == "Edited on the site"
    forced = push(entry_project, "--force")
    assert forced.returncode == 0 and "updated entry" in forced.stdout, forced.stderr
    [restored] = entries(wordpress, slug)
    assert restored["title"]["raw"] == entry["title"]["raw"] and restored["excerpt"]["raw"] == entry["excerpt"]["raw"]
    assert push(entry_project).returncode == 0


def test_stale_bundle_is_refused(entry_project: Any, wordpress: Any, push: Any) -> None:
    """Sources edited after `perrypress publish`: the bundle is older than them and is not published."""
    section = sorted((entry_project.root / "sections").glob("*.qmd"))[0]
    section.write_text(section.read_text(encoding="utf-8") + "\nA sentence the bundle does not have.\n",
                       encoding="utf-8")
    result = push(entry_project)
    assert result.returncode == 1
    assert "older than the sources" in result.stderr and section.name in result.stderr
    assert entries(wordpress, record(bundle_of(entry_project))["slug"]) == []


def test_bundle_from_uncommitted_edits_is_refused(entry_project: Any, wordpress: Any, push: Any) -> None:
    """manifest.json lists the uncommitted sources; such a bundle is refused unless --allow-dirty."""
    import subprocess

    root = entry_project.root
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "sources"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    section = sorted((root / "sections").glob("*.qmd"))[0]
    section.write_text(section.read_text(encoding="utf-8") + "\nNot committed.\n", encoding="utf-8")
    bundle = with_slug(entry_project, record(bundle_of(entry_project))["slug"])
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["uncommitted"] == [f"sections/{section.name}"]
    result = push(entry_project)
    assert result.returncode == 1 and "uncommitted edits" in result.stderr and "--allow-dirty" in result.stderr
    assert entries(wordpress, record(bundle)["slug"]) == []
    allowed = push(entry_project, "--allow-dirty")
    assert allowed.returncode == 0 and "warning:" in allowed.stdout


def test_new_release_switches_then_removes_the_old_one(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A new PDF: uploaded and attached, the entry switched, then the old PDF deleted; --keep-old keeps it."""
    assert push(entry_project, "--status", "publish").returncode == 0
    slug = record(bundle_of(entry_project))["slug"]
    [before] = entries(wordpress, slug)
    new_pdf(entry_project, slug)
    result = push(entry_project, "--keep-old")
    assert result.returncode == 0, result.stderr
    [after] = entries(wordpress, slug)
    assert after["id"] == before["id"] and after["status"] == "publish", "the status changed without --status"
    pdf = [m for m in media(wordpress) if m["source_url"] == after["meta"]["publication_pdf"]]
    assert pdf and pdf[0]["post"] == after["id"], "the new PDF is not attached to the entry"
    assert requests.get(before["meta"]["publication_pdf"], timeout=30).status_code == 200  # kept
    dry = push(entry_project, "--cleanup", "--dry-run")
    assert dry.returncode == 0 and before["meta"]["publication_pdf"] in dry.stdout
    assert requests.get(before["meta"]["publication_pdf"], timeout=30).status_code == 200
    new_pdf(entry_project, slug, b"%again\n")
    assert push(entry_project).returncode == 0
    [last] = entries(wordpress, slug)
    newest = requests.get(last["meta"]["publication_pdf"], timeout=30).content
    for old in (before["meta"]["publication_pdf"], after["meta"]["publication_pdf"]):
        assert not serves_outdated(old, newest), f"{old} still serves an outdated edition"
    assert requests.get(last["meta"]["publication_pdf"], timeout=30).status_code == 200


def test_changed_slug_updates_the_same_entry(entry_project: Any, wordpress: Any, push: Any) -> None:
    """_publish.yml records the entry: after library.slug changes, the same entry is updated (no second entry)."""
    assert push(entry_project).returncode == 0
    old = record(bundle_of(entry_project))["slug"]
    [before] = entries(wordpress, old)
    published = (entry_project.root / "_publish.yml").read_text(encoding="utf-8")
    assert f"entry: {before['id']}" in published and "sha256:" in published
    with_slug(entry_project, old + "-renamed")
    result = push(entry_project)
    assert result.returncode == 0 and f"updated entry {before['id']}" in result.stdout, result.stdout + result.stderr
    [after] = entries(wordpress, old + "-renamed")
    assert after["id"] == before["id"] and entries(wordpress, old) == []


def test_twin_entries_are_reported_and_cleaned_up(entry_project: Any, wordpress: Any, push: Any) -> None:
    """A twin left by an earlier run (same paper, other slug) is reported; --cleanup --dry-run lists it; --cleanup trashes it."""
    assert push(entry_project).returncode == 0
    slug = record(bundle_of(entry_project))["slug"]
    [entry] = entries(wordpress, slug)
    twin = requests.post(f"{wordpress.url}/wp-json/wp/v2/publications", auth=(wordpress.user, wordpress.app_password),
                         json={"slug": slug + "-2", "title": "twin", "status": "draft",
                               "content": entry["content"]["raw"]}, timeout=30).json()
    result = push(entry_project)
    assert result.returncode == 0 and f"entry {twin['id']}" in result.stdout and "--cleanup" in result.stdout
    dry = push(entry_project, "--cleanup", "--dry-run")
    assert f"would move twin entry {twin['id']}" in dry.stdout
    assert wordpress.get(f"/wp/v2/publications/{twin['id']}")["status"] == "draft"
    cleaned = push(entry_project, "--cleanup")
    assert cleaned.returncode == 0 and f"moved twin entry {twin['id']}" in cleaned.stdout
    assert wordpress.get(f"/wp/v2/publications/{twin['id']}")["status"] == "trash"
    assert [e["id"] for e in entries(wordpress, slug)] == [entry["id"]]

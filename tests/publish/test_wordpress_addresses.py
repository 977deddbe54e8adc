"""Stable addresses on a real WordPress: a bookmark gives the current edition after each release; an old link never
serves an outdated edition (with the perrypress-editions mu-plugin: it redirects to the current one; without it:
the site's 404, and the run says so)."""

from __future__ import annotations

import hashlib
import re
import shutil
from typing import Any

import requests

from perrypress.publish.entry_page import files_of

from .bundles import bundle_of, record
from .test_wordpress import entries, new_pdf, push  # noqa: F401 (push is a fixture)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def served(url: str) -> tuple[int, bytes, list[int]]:
    """What ``url`` gives a reader: the final status, the bytes and the redirects' statuses on the way."""
    answer = requests.get(url, timeout=30)
    return answer.status_code, answer.content, [r.status_code for r in answer.history]


def current(project: Any, key: str) -> str:
    """The SHA-256 of the bundle's edition ``key`` (pdf, docx)."""
    bundle = bundle_of(project)
    return digest((bundle / record(bundle)["files"][key]).read_bytes())


def test_bookmark_and_old_links_give_the_current_edition(entry_project: Any, wordpress: Any, push: Any) -> None:
    """<entry>?edition=pdf gives each release's PDF; every earlier release's PDF address redirects to the current one."""
    first = push(entry_project, "--status", "publish")
    assert first.returncode == 0, first.stdout + first.stderr
    slug = record(bundle_of(entry_project))["slug"]
    [entry] = entries(wordpress, slug)
    stable = {key: f"{entry['link']}?edition={key}" for key in ("pdf", "docx")}
    assert f"stable address (always the current edition): {stable['pdf']}" in first.stdout
    status, body, hops = served(stable["pdf"])
    assert (status, hops) == (200, [302]) and digest(body) == current(entry_project, "pdf")
    status, body, _ = served(stable["docx"])
    assert status == 200 and digest(body) == current(entry_project, "docx")
    old_links = [entry["meta"]["publication_pdf"]]
    for n in (2, 3):
        new_pdf(entry_project, slug, f"%release {n}\n".encode())
        result = push(entry_project)
        assert result.returncode == 0 and "deleted the previous release's upload" in result.stdout, result.stderr
        [entry] = entries(wordpress, slug)
        assert entry["meta"]["publication_pdf"] not in old_links
        wanted = current(entry_project, "pdf")
        status, body, _ = served(stable["pdf"])
        assert status == 200 and digest(body) == wanted, f"the bookmark does not give release {n}"
        for old in old_links:  # deleted on the site: each redirects (302) to the current PDF
            answer = requests.get(old, timeout=30, allow_redirects=False)
            assert answer.status_code == 302 and answer.headers["Location"] == entry["meta"]["publication_pdf"], old
            status, body, _ = served(old)
            assert status == 200 and digest(body) == wanted, f"{old} serves an outdated edition after release {n}"
        assert set(old_links) <= set(files_of(entry["content"]["raw"])["previous"])
        old_links.append(entry["meta"]["publication_pdf"])
    # The DOCX did not change: its address is the same and still serves it.
    status, body, _ = served(stable["docx"])
    assert status == 200 and digest(body) == current(entry_project, "docx")


def test_old_links_of_a_draft_are_not_redirected(entry_project: Any, wordpress: Any, push: Any) -> None:
    """An entry taken down (a draft) gives nobody its files through an old link or a bookmark."""
    slug = record(bundle_of(entry_project))["slug"]
    new_pdf(entry_project, slug, b"%draft\n")  # bytes of its own: an upload's name is made from its SHA-256
    assert push(entry_project).returncode == 0  # a new entry: a draft
    [before] = entries(wordpress, slug)
    new_pdf(entry_project, slug)
    assert push(entry_project).returncode == 0
    status, body, _ = served(before["meta"]["publication_pdf"])
    assert not body.startswith(b"%PDF"), "an old link of a draft serves a PDF"


def test_without_the_mu_plugin_old_links_fail_and_the_run_says_so(entry_project: Any, wordpress: Any,
                                                                    push: Any) -> None:
    """Core WordPress alone: the old PDF's address answers the site's 404 (never the outdated edition) and the
    run warns that the mu-plugin is missing; with the plugin back, the same old address redirects."""
    slug = record(bundle_of(entry_project))["slug"]
    new_pdf(entry_project, slug, b"%core only\n")  # bytes of its own: an upload's name is made from its SHA-256
    assert push(entry_project, "--status", "publish").returncode == 0
    [before] = entries(wordpress, slug)
    aside = wordpress.editions_plugin.with_suffix(".off")
    shutil.move(wordpress.editions_plugin, aside)
    try:
        new_pdf(entry_project, slug)
        result = push(entry_project)
        assert result.returncode == 0, result.stderr
        assert "has no perrypress-editions mu-plugin" in result.stdout and "stable address" not in result.stdout
        status, body, _ = served(before["meta"]["publication_pdf"])
        assert not body.startswith(b"%PDF"), "an old link serves the outdated edition"
    finally:
        shutil.move(aside, wordpress.editions_plugin)
    [after] = entries(wordpress, slug)
    status, body, _ = served(before["meta"]["publication_pdf"])
    assert status == 200 and digest(body) == current(entry_project, "pdf")
    assert re.search(r"<!-- perrypress-files \{", after["content"]["raw"])


def test_the_plugin_redirects_only_to_this_sites_uploads_for_trusted_authors(wordpress: Any) -> None:
    """A perrypress-files comment naming another site, or written by an account without unfiltered_html (an
    Author), sends nobody anywhere: the entry's page answers as usual."""
    from perrypress.publish.entry_page import files_comment

    uploads = f"{wordpress.url}/wp-content/uploads/2026/01/"
    cases = [("admin", wordpress.app_password, "https://elsewhere.example/paper.pdf"),
             ("author", wordpress.author_password, uploads + "paper-0123456789.pdf")]
    for user, password, target in cases:
        comment = files_comment({"current": {"pdf": target}, "previous": {}})
        made = requests.post(f"{wordpress.url}/wp-json/wp/v2/posts", auth=(user, password), timeout=30,
                             params={"context": "edit"},
                             json={"title": f"forged by {user}", "status": "publish",
                                   "content": f"<!-- wp:html -->\n{comment}\n<p>x</p>\n<!-- /wp:html -->"}).json()
        assert comment in made["content"]["raw"], made["content"]["raw"]  # the comment is there: the plugin reads it
        answer = requests.get(f"{made['link']}?edition=pdf", timeout=30, allow_redirects=False)
        assert answer.status_code == 200 and "Location" not in answer.headers, (user, answer.status_code)

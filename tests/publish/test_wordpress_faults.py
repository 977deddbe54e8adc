"""A publish interrupted at any write, and run again, leaves one entry and one copy of each file, never a mix.

A fault-injecting proxy (fault_proxy.py) stands between the publisher and the
real WordPress. The writes of one publish are enumerated first (a run with no
fault); then a lost answer is injected after each of them in turn — a dropped
connection, a 500 in place of the site's answer, or a stall past the client's
timeout — and, for a site that goes away, every request after it fails too.
After the faulted run the entry shows the old release or the new one in full;
after a re-run it shows the new one, with exactly one entry and one upload of
each file, and a third run writes nothing.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from perrypress.errors import PublishError
from perrypress.publish.entry_page import FILES, marker_fields
from perrypress.publish.wordpress import Client, Publisher, Site
from perrypress.sources.config import load_config

from .bundles import with_slug
from .fault_proxy import proxy

TIMEOUT = 2.0  # the client's timeout; the proxy's stall is longer


@pytest.fixture(scope="module")
def faulty(wordpress: Any) -> Any:
    """The proxy in front of the session's WordPress, for the module."""
    with proxy(wordpress.url, stall=TIMEOUT + 1.5) as (url, faults):
        faults.url = url
        yield faults


def publisher(project: Any, url: str, wordpress: Any) -> Publisher:
    """A Publisher of ``project``'s bundle to ``url``, with short timeouts, two retries and no waiting between them."""
    config = load_config(project.root / "config/config.yaml", root=project.root)
    config["publish"]["wordpress"].update(timeout=TIMEOUT, retries=2)
    site = Site.from_config(config, url=url)
    slug = next(p for p in (project.root / "_build/site").iterdir() if not p.name.startswith("."))
    client = Client(site, user=wordpress.user, password=wordpress.app_password, sleep=lambda seconds: None)
    return Publisher(slug, client, root=project.root)


def release_files(project: Any, url: str, wordpress: Any) -> tuple[str, dict[str, str]]:
    """The release id of ``project``'s bundle and its files' SHA-256 by key."""
    p = publisher(project, url, wordpress)
    return p.release, {key: f.digest for key, f in p.files().items()}


def site_state(wordpress: Any, slug: str) -> tuple[list[dict], list[dict]]:
    """This paper's entries (any status) and uploads, read directly from the site."""
    entries = wordpress.get("/wp/v2/publications", search=f"perrypress publication={slug}", status="any")
    entries += [e for e in wordpress.get("/wp/v2/publications", slug=slug, status="any")
                if e["id"] not in {x["id"] for x in entries}]
    uploads = wordpress.get("/wp/v2/media", search=f"perrypress publication:{slug}", per_page=100)
    return entries, uploads


def digest_of(item: dict) -> str:
    raw = item["description"]["raw"]
    return raw.split("sha256:", 1)[1].split()[0]


def shown_release(wordpress: Any, slug: str, releases: dict[str, dict[str, str]]) -> str:
    """The release the one entry shows, checked whole: every upload it links is that release's (else AssertionError)."""
    entries, uploads = site_state(wordpress, slug)
    assert len(entries) == 1, [(e["id"], e["slug"]) for e in entries]
    [entry] = entries
    release = marker_fields(entry["content"]["raw"]).get("release")
    if release == "none":  # the draft placeholder: no release shown, no file linked
        assert entry["status"] == "draft" and "wp-content/uploads" not in entry["content"]["raw"]
        return release
    assert release in releases, release
    by_url = {u["source_url"]: u for u in uploads}
    shown = FILES.sub("", entry["content"]["raw"])  # without the earlier releases' addresses the comment keeps
    linked = [u for url, u in by_url.items() if url in shown or url in entry["meta"].values()]
    assert linked, "the entry links no upload"
    assert {digest_of(u) for u in linked} <= set(releases[release].values()), "the entry mixes two releases"
    assert entry["meta"]["publication_pdf"] in by_url
    assert digest_of(by_url[entry["meta"]["publication_pdf"]]) == releases[release]["pdf"]
    for url in {entry["meta"]["publication_pdf"], entry["meta"]["publication_docx"]}:
        assert requests.head(url, timeout=30).status_code == 200
    return release


def one_of_each(wordpress: Any, slug: str, files: dict[str, str]) -> None:
    """Exactly one entry, and exactly one upload of each of the release's files (and none of another release)."""
    entries, uploads = site_state(wordpress, slug)
    assert len(entries) == 1, [(e["id"], e["slug"], e["status"]) for e in entries]
    counts = sorted(digest_of(u) for u in uploads)
    assert counts == sorted(set(files.values())), "a file is missing, twice on the site, or left from a release"


def with_topic(project: Any, slug: str, topic: str) -> None:
    """Give ``project`` one more topic (a term the site does not have yet) and the library slug ``slug``."""
    report = project.root / "report.qmd"
    text = report.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^    - Faults & .*\n", "", text)
    report.write_text(re.sub(r"(?m)^(  topics:\n)", rf"\1    - {topic}\n", text, count=1), encoding="utf-8")
    with_slug(project, slug)


def cases(writes: int, kinds: tuple[str, ...]) -> list[tuple[int, str]]:
    """Each write number with a fault kind, the kinds taking turns (every kind at every write would take long)."""
    return [(n, kind) for n, kind in zip(range(1, writes + 1), itertools.cycle(kinds))]


@pytest.mark.slow  # about 14 writes × two publishes: 5 min on a busy 2-core machine
def test_fault_at_every_write_of_a_first_publish(entry_project: Any, wordpress: Any, faulty: Any) -> None:
    """Every write of a first publish (placeholder, uploads, terms, switch), each answer lost in turn."""
    base = entry_project.root.name
    # Count the writes of a first publish, on a slug of its own.
    slug = "faults-first-count"
    with_topic(entry_project, slug, "Faults & count")
    faults = faulty
    faults.reset()
    p = publisher(entry_project, faults.url, wordpress)
    p.run()
    writes = list(faults.writes)
    assert any("publication_topic" in w for w in writes), writes
    assert writes[0].startswith("POST /wp-json/wp/v2/publications") and writes[-1].startswith("POST /wp-json/wp/v2/publications/")
    results = []
    for n, kind in cases(len(writes), ("drop", "500", "stall")):
        slug = f"faults-first-{n}-{kind}"
        with_topic(entry_project, slug, f"Faults & {n}")  # a new term: its create is one of the writes
        (entry_project.root / "_publish.yml").unlink(missing_ok=True)
        release, files = release_files(entry_project, faults.url, wordpress)
        faults.reset(fault_at=n, kind=kind)
        publisher(entry_project, faults.url, wordpress).run()  # the lost answer is recovered within the run
        assert faults.lost, f"no fault injected at write {n}"
        assert shown_release(wordpress, slug, {release: files}) == release
        faults.reset()
        again = publisher(entry_project, faults.url, wordpress).run()
        assert again.entry == "unchanged" and not again.uploaded and faults.writes == [], (n, kind, faults.writes)
        one_of_each(wordpress, slug, files)
        results.append(f"{n}:{kind}:{writes[n - 1].split('?')[0]}")
    print(f"{base}: first publish, {len(writes)} writes, faults: {results}")


@pytest.mark.parametrize("kind", ["drop", "500", "stall"])
def test_site_down_after_a_write_then_rerun(entry_project: Any, wordpress: Any, faulty: Any, kind: str) -> None:
    """The site goes away after write N of an update: the run stops saying what the site holds; a re-run finishes."""
    slug = f"faults-down-{kind}"
    with_slug(entry_project, slug)
    faults = faulty
    faults.reset()
    old_release, old_files = release_files(entry_project, faults.url, wordpress)
    publisher(entry_project, faults.url, wordpress).run()
    # The next release: a new PDF.
    pdf = entry_project.edition("pdf")
    pdf.write_bytes(pdf.read_bytes() + b"%next release\n")
    with_slug(entry_project, slug)
    new_release, new_files = release_files(entry_project, faults.url, wordpress)
    assert new_release != old_release
    faults.reset()
    publisher(entry_project, faults.url, wordpress).run(dry_run=True)
    assert faults.writes == [], "a dry run wrote"
    releases = {old_release: old_files, new_release: new_files}
    # Count the update's writes: upload the PDF, switch, delete the old PDF.
    expected = ["POST /wp-json/wp/v2/media", f"POST /wp-json/wp/v2/publications/", "DELETE /wp-json/wp/v2/media/"]
    seen = []
    for n in range(1, len(expected) + 1):
        faults.reset(fault_at=n, kind=kind, down=True)
        with pytest.raises(PublishError) as failure:
            publisher(entry_project, faults.url, wordpress).run()
        message = str(failure.value)
        assert "What the site holds now:" in message and "Run the same command again" in message, message
        assert "check that the site is up" in message, message  # which request got no answer, and how
        if expected[n - 1] == "POST /wp-json/wp/v2/media":  # the upload whose answer was lost may be there
            assert "the upload of" in message and "may be on the site" in message, message
        print(f"{kind} after write {n}:\n{message}")
        seen.append(shown_release(wordpress, slug, releases))
        faults.reset()
        publisher(entry_project, faults.url, wordpress).run()
        assert shown_release(wordpress, slug, releases) == new_release
        one_of_each(wordpress, slug, new_files)
        # Back to the old release for the next write number.
        pdf.write_bytes(pdf.read_bytes().removesuffix(b"%next release\n"))
        with_slug(entry_project, slug)
        publisher(entry_project, faults.url, wordpress).run()
        assert shown_release(wordpress, slug, releases) == old_release
        one_of_each(wordpress, slug, old_files)
        pdf.write_bytes(pdf.read_bytes() + b"%next release\n")
        with_slug(entry_project, slug)
    # Before the switch the old release shows; after it, the new one; never a mix (shown_release checks).
    assert seen[0] == old_release and seen[-1] == new_release, seen


@pytest.mark.parametrize("kind", ["drop", "500", "stall"])
def test_lost_answer_at_every_write_of_an_update(entry_project: Any, wordpress: Any, faulty: Any, kind: str) -> None:
    """Each write of an update (upload, switch, delete) with its answer lost: the run recovers, no copy is made."""
    slug = f"faults-update-{kind}"
    with_slug(entry_project, slug)
    faults = faulty
    faults.reset()
    publisher(entry_project, faults.url, wordpress).run()
    pdf = entry_project.edition("pdf")
    original = pdf.read_bytes()
    for n in range(1, 4):
        pdf.write_bytes(original + f"%release {n}\n".encode())
        with_slug(entry_project, slug)
        release, files = release_files(entry_project, faults.url, wordpress)
        faults.reset(fault_at=n, kind=kind)
        publisher(entry_project, faults.url, wordpress).run()
        assert faults.lost and len(faults.writes) >= 3, faults.writes
        assert shown_release(wordpress, slug, {release: files}) == release
        one_of_each(wordpress, slug, files)


@pytest.mark.parametrize("n", [1, 2])
def test_site_down_after_a_stall_in_a_first_publish(entry_project: Any, wordpress: Any, faulty: Any, n: int) -> None:
    """A first publish: the site stalls after write N (1: the entry's creation, 2: the first upload) and stays
    down. The message names the write that may have taken effect; once the site is back a re-run converges."""
    slug = f"faults-first-down-stall-{n}"
    with_slug(entry_project, slug)
    (entry_project.root / "_publish.yml").unlink(missing_ok=True)
    release, files = release_files(entry_project, faulty.url, wordpress)
    faulty.reset(fault_at=n, kind="stall", down=True)
    with pytest.raises(PublishError) as failure:
        publisher(entry_project, faulty.url, wordpress).run()
    message = str(failure.value)
    print(f"stall after write {n} of a first publish:\n{message}")
    assert "no answer (ReadTimeout)" in message and "check that the site is up" in message, message
    assert "What the site holds now:" in message and "may be on the site" in message, message
    assert ("the creation of entry" if n == 1 else "the upload of") in message, message
    faulty.reset()  # the site is back
    publisher(entry_project, faulty.url, wordpress).run()
    assert shown_release(wordpress, slug, {release: files}) == release
    one_of_each(wordpress, slug, files)
    faulty.reset()
    again = publisher(entry_project, faulty.url, wordpress).run()
    assert again.entry == "unchanged" and faulty.writes == [], faulty.writes

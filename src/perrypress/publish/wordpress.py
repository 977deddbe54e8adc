"""Publish the bundle to the Center's WordPress document library through the REST API, one release at a time.

A run checks the site before it writes (the post type's schema, the account's
``unfiltered_html``, an entry edited on the site since the last publish), then:
makes the entry as a draft placeholder if there is none; uploads the release's
files not on the site yet (named and described by their SHA-256, attached to the
entry); switches the entry to them in one update; and only then deletes the
previous release's files. A create whose answer is lost is looked for before it
is sent again (the entry by slug, a file by its SHA-256), so no retry makes a
twin. The content's ``perrypress-files`` comment names the current files and
the earlier releases' addresses, for the perrypress-editions mu-plugin
(publish/site/) that gives the editions stable addresses. ``_publish.yml``
records what was published where. Credentials come from
PERRYPRESS_WP_USER and PERRYPRESS_WP_APP_PASSWORD and are never printed or logged.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import PublishError
from ..sources.labels import language_of, report_labels, table
from . import publish_record
from .bundle import MANIFEST, RECORD, SITE, check_manifest, library_metadata, sha256
from .entry_page import FILES, article_of, citations, content, files_of, inline_images, marker_fields, without_marker
from .freshness import check_fresh
from .scholarly import json_ld_script
from .site_client import CONFIG_KEY, Client, NoAnswer, Site, SiteError, credentials

__all__ = ["Client", "File", "Plan", "Publisher", "Site", "credentials", "publish"]

log = logging.getLogger(__name__)

MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".csv": "text/csv", ".txt": "text/plain",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
UNFILTERED = "wp:action-unfiltered-html"
ENTRY_FIELDS = ("title", "content", "excerpt", "slug", "status", "featured_media", "meta")
EDITIONS_PLUGIN = "perrypress/v1"  # the REST namespace of the perrypress-editions mu-plugin (publish/site/)


@dataclass(frozen=True)
class File:
    """One file of the release as it goes to the site."""

    key: str  # pdf, docx, figure:<slug>, photo:<hash>, data:<name>, cite:bib, cite:ris
    name: str  # the bundle's name (title on the site)
    data: bytes
    alt: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def upload_name(self) -> str:
        """The name on the site: the file's hash in it, so one address always serves the same bytes."""
        stem, dot, ext = self.name.rpartition(".")
        return f"{stem}-{self.digest[:10]}.{ext}" if dot else f"{self.name}-{self.digest[:10]}"


@dataclass
class Plan:
    """What a run did or would do."""

    release: str = ""
    uploaded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    entry: str = ""  # "created", "updated" or "unchanged" (a dry run: "create", "update", "unchanged")
    entry_id: int | None = None
    removed: list[str] = field(default_factory=list)  # previous releases' files deleted (or that would be)
    twins: list[str] = field(default_factory=list)  # duplicates left by an earlier run: --cleanup removes them
    warnings: list[str] = field(default_factory=list)
    stable: list[str] = field(default_factory=list)  # the editions' stable addresses (with the mu-plugin)


def cite_upload_name(name: str) -> str:
    """The name a citation file (key.bib, key.ris) is uploaded under: a .txt, which WordPress accepts."""
    stem, _, ext = name.rpartition(".")
    return f"{stem}-{ext}.txt"


def cite_upload_data(name: str, data: bytes) -> bytes:
    """A citation file as uploaded: BibTeX opens with a comment line (BibTeX ignores text outside entries), so
    WordPress's content sniffing sees plain text (a bare entry's lines of `key = "…",` can pass for CSV, which it
    refuses under .txt)."""
    return f"% {name}\n".encode() + data if name.endswith(".bib") else data


def media_marker(slug: str, digest: str, key: str) -> str:
    """The description a media item carries: the publication, the file's SHA-256 and its role."""
    return f"perrypress publication:{slug} sha256:{digest} file:{key}"


_MEDIA_TAG = re.compile(r"perrypress publication:(?P<slug>\S+) sha256:(?P<digest>[0-9a-f]{64})(?: file:(?P<key>\S+))?")


def _fields_digest(fields: dict[str, Any]) -> dict[str, str]:
    """A short SHA-256 of each field (what the marker records, so an edit on the site can be named)."""
    return {k: hashlib.sha256(json.dumps(v, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
            for k, v in sorted(fields.items())}


class Publisher:
    """Publishes one bundle to one site."""

    def __init__(self, bundle: Path, client: Client, *, root: Path | None = None,
                 labels: dict[str, Any] | None = None) -> None:
        check_manifest(bundle)
        self.bundle, self.client, self.site, self.root = bundle, client, client.site, root
        self.record = json.loads((bundle / RECORD).read_text(encoding="utf-8"))
        self.slug = self.record["slug"]
        self.release = hashlib.sha256((bundle / MANIFEST).read_bytes()).hexdigest()[:12]
        self.page = (bundle / self.record["files"]["html"]).read_text(encoding="utf-8")
        self.state = publish_record.for_site(root, self.site.url) if root else None
        self._terms: dict[str, list[dict[str, Any]]] = {}
        # The words the entry adds, in the paper's language: the report's labels, else its page's lang's table.
        lang = re.search(r'<html\b[^>]*\slang="([^"]+)"', self.page)
        self.labels = labels or table(language_of(lang.group(1) if lang else "en"))

    # Reading the site --------------------------------------------------------------------------
    def login(self) -> dict[str, Any]:
        """Check the credentials first: WordPress treats a wrong Application Password as an anonymous visitor."""
        return self.client.call("GET", "users/me", what="log in", params={"context": "edit"})

    def check_schema(self) -> None:
        """Refuse, before any write, fields, meta keys and taxonomies the post type does not expose."""
        found = self.client.call("OPTIONS", self.site.rest_base, what="read the post type's schema",
                                 config_key="rest_base")
        if not isinstance(found, dict) or not isinstance(found.get("schema"), dict):  # WordPress: [] for no route
            raise PublishError(f"read the post type's schema: the site has no REST route "
                               f"/wp-json/wp/v2/{self.site.rest_base} — set {CONFIG_KEY}.rest_base to the name the "
                               "Center's library plugin registers (ask the site team); nothing was written")
        properties = found["schema"].get("properties") or {}
        problems = [f"field '{name}' (the post type needs 'supports' => '{name}')"
                    for name in ENTRY_FIELDS if name not in properties]
        meta = (properties.get("meta") or {}).get("properties") or {}
        problems += [f"meta key '{key}' ({CONFIG_KEY}.meta.{name})"
                     for name, key in self.site.meta.items() if key not in meta]
        problems += [f"taxonomy '{key}' ({CONFIG_KEY}.taxonomies.{name})"
                     for name, key in self.site.taxonomies.items() if key not in properties]
        if problems:
            raise PublishError(f"{self.site.url}: the post type '{self.site.rest_base}' does not expose "
                               + "; ".join(problems) + " — register them with show_in_rest in the library plugin, "
                               "or set the configuration key to the name the site uses; nothing was written")

    def check_capability(self) -> None:
        """Refuse an account without ``unfiltered_html``: WordPress would strip the entry's styles and JSON-LD.

        WordPress tells in an item's links (edit context) whether the account may post unfiltered HTML, after
        DISALLOW_UNFILTERED_HTML and multisite rules; the user's role capabilities are the fallback.
        """
        allowed = None
        for route in (self.site.rest_base, "posts", "pages"):
            try:
                found = self.client.call("GET", route, what="check the account's capabilities",
                                         params={"context": "edit", "per_page": 1})
            except SiteError:
                continue
            if found:
                allowed = UNFILTERED in (found[0].get("_links") or {})
                break
        if allowed is None:
            allowed = bool((self.login().get("capabilities") or {}).get("unfiltered_html"))
        if not allowed:
            raise PublishError(f"{self.site.url}: the account lacks the 'unfiltered_html' capability (an Author, a "
                               "site with DISALLOW_UNFILTERED_HTML, or multisite without super admin): WordPress "
                               "would strip the entry's styles and its JSON-LD — publish with an Editor or "
                               "Administrator account that has unfiltered_html; nothing was written")

    def _entry_by_id(self, entry_id: int) -> dict[str, Any] | None:
        found = self.client.call("GET", f"{self.site.rest_base}/{entry_id}", what=f"look up entry {entry_id}",
                                 config_key="rest_base", params={"context": "edit"},
                                 accept=frozenset({"rest_post_invalid_id"}))
        return None if found.get("code") else found

    def _entry_by_slug(self) -> dict[str, Any] | None:
        found = self.client.call("GET", self.site.rest_base, what="look up the entry", config_key="rest_base",
                                 params={"slug": self.slug, "status": "any", "context": "edit"})
        return min(found, key=lambda e: e["id"]) if found else None

    def _ours(self) -> list[dict[str, Any]]:
        """Every entry carrying this publication's marker (any status but trash)."""
        found = self.client.pages(self.site.rest_base, what="look for twin entries", config_key="rest_base",
                                  params={"search": f"perrypress publication={self.slug}", "status": "any",
                                          "context": "edit"})
        return [e for e in found if marker_fields(e["content"]["raw"]).get("publication") == self.slug]

    def find_entry(self) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The entry (by the id _publish.yml records, else by slug) and its twins (other entries of this paper)."""
        entry = self._entry_by_id(self.state["entry"]) if self.state and self.state.get("entry") else None
        if entry and entry.get("status") == "trash":
            raise PublishError(f"entry {entry['id']} ({entry['slug']}) is in the trash on {self.site.url} — restore "
                               "it, or delete it permanently to start a new one; nothing was written")
        entry = entry or self._entry_by_slug()
        ours = self._ours()
        if entry is None and ours:
            entry = min(ours, key=lambda e: e["id"])
        twins = [e for e in ours if entry and e["id"] != entry["id"]]
        return entry, twins

    def media_on_site(self, entry: dict[str, Any] | None) -> list[dict[str, Any]]:
        """This publication's uploads (found by the marker in their description, and by _publish.yml's ids)."""
        found = {m["id"]: m for m in self.client.pages("media", what="look up the uploads", params={
            "search": f"perrypress publication:{self.slug}", "context": "edit"})}
        found = {i: m for i, m in found.items() if _slug_of(m) == self.slug}
        recorded = [f["id"] for f in ((self.state or {}).get("files") or {}).values() if f["id"] not in found]
        if recorded:  # uploads made under an earlier slug
            for item in self.client.pages("media", what="look up the recorded uploads", params={
                    "include": ",".join(map(str, recorded)), "context": "edit"}):
                found[item["id"]] = item
        return [m for m in found.values() if _digest_of(m)]

    def all_terms(self, field_name: str) -> list[dict[str, Any]]:
        """Every term of the library's taxonomy for ``field_name``."""
        if field_name not in self._terms:
            self._terms[field_name] = self.client.pages(
                self.site.taxonomies[field_name], what=f"read the {field_name} terms",
                config_key=f"taxonomies.{field_name}", params={"context": "edit", "hide_empty": "false"})
        return self._terms[field_name]

    def term(self, field_name: str, name: str) -> int | None:
        """The id of the term ``name`` (WordPress stores "&" as "&amp;": names are compared decoded), or None."""
        wanted = " ".join(name.split())
        return next((t["id"] for t in self.all_terms(field_name) if html.unescape(t["name"]) == wanted), None)

    # The release --------------------------------------------------------------------------------
    def files(self) -> dict[str, File]:
        """The release's files that go to the site: editions, figures, photographs, the data's CSV files."""
        files = self.record["files"]
        chosen = {key: File(key, files[key], (self.bundle / files[key]).read_bytes()) for key in ("pdf", "docx")}
        figures = list(files["figures"])
        for image in inline_images(article_of(self.page), figures):
            if image.key.startswith("figure:"):
                png = self.bundle / files["figures"][image.key.split(":", 1)[1]]
                chosen[image.key] = File(image.key, png.name, png.read_bytes(), image.alt)
            else:
                chosen[image.key] = File(image.key, image.name, image.data, image.alt)
        for csv in sorted((self.bundle / "data").glob("*.csv")):
            chosen[f"data:{csv.name}"] = File(f"data:{csv.name}", csv.name, csv.read_bytes())
        # BibTeX and RIS: WordPress refuses .bib and .ris; a .txt it accepts, and the link's download attribute
        # saves it under its own name.
        for cite in citations(article_of(self.page)):
            chosen[cite.key] = File(cite.key, cite_upload_name(cite.name), cite_upload_data(cite.name, cite.data))
        return chosen

    def terms(self) -> tuple[dict[str, list[int]], list[tuple[str, str]]]:
        """The entry's term ids per field, and the terms the site does not have yet."""
        names = {"category": [self.record["category"]], "topics": self.record["topics"],
                 "countries": self.record["countries"], "language": [self.record["language"]]}
        ids: dict[str, list[int]] = {}
        new: list[tuple[str, str]] = []
        for field_name, values in names.items():
            ids[field_name] = []
            for value in values:
                found = self.term(field_name, value)
                if found is None:
                    new.append((field_name, value))
                else:
                    ids[field_name].append(found)
        return ids, new

    def payload(self, media: dict[str, dict[str, Any]], terms: dict[str, list[int]],
                previous: dict[str, str] | None = None) -> dict[str, Any]:
        """The entry as the REST API takes it (without status); its marker names the release and each field's hash.

        ``previous`` maps the addresses of earlier releases' files to their role (pdf, docx, …): with the
        current files, the content's ``perrypress-files`` comment, read by the perrypress-editions mu-plugin.
        """
        record, files = self.record, self.record["files"]
        links = {files["pdf"]: media["pdf"]["source_url"], files["docx"]: media["docx"]["source_url"]}
        links.update({f"data/{key.split(':', 1)[1]}": item["source_url"] for key, item in media.items()
                      if key.startswith("data:")})
        images = {key: item["source_url"] for key, item in media.items() if key.startswith(("figure:", "photo:"))}
        ld = json_ld_script(self.json_ld({"application/pdf": media["pdf"]["source_url"],
                                          MEDIA_TYPES[".docx"]: media["docx"]["source_url"]}))
        data = {key.split(":", 1)[1]: item["source_url"] for key, item in sorted(media.items())
                if key.startswith("data:")}
        cites = {c.name: media[c.key]["source_url"] for c in citations(article_of(self.page))}
        current = {key: item["source_url"] for key, item in media.items()}
        record_files = {"current": current,
                        "previous": {u: k for u, k in (previous or {}).items() if u not in current.values()}}
        body = content(self.page, links=links, images=images, figures=list(files["figures"]), json_ld=ld,
                       marker="MARKER", data=data, labels=self.labels, cites=cites, files=record_files)
        # The featured image (themes show it above the title; listings as a thumbnail): the first photograph,
        # else Figure 1.
        figures = [k for k in media if k.startswith("photo:")] + [k for k in media if k.startswith("figure:")]
        entry: dict[str, Any] = {
            "slug": self.slug, "title": record["title"] + (f": {record['subtitle']}" if record["subtitle"] else ""),
            "excerpt": record["summary"], "content": body,
            "featured_media": media[figures[0]]["id"] if figures else 0,
            "meta": {self.site.meta["authors"]: "; ".join(record["authors"]), self.site.meta["year"]: record["year"],
                     self.site.meta["pdf"]: media["pdf"]["source_url"], self.site.meta["docx"]: media["docx"]["source_url"]},
        }
        entry.update({self.site.taxonomies[name]: sorted(ids) for name, ids in terms.items()})
        digests = _fields_digest(self.fields(entry))
        marker = (f"publication={self.slug} release={self.release} "
                  + " ".join(f"{k}={v}" for k, v in digests.items()))
        entry["content"] = body.replace("<!-- perrypress MARKER -->", f"<!-- perrypress {marker} -->", 1)
        return entry

    def json_ld(self, urls: dict[str, str]) -> dict[str, Any]:
        """The bundle page's ScholarlyArticle with the editions at their uploads (the entry is the HTML edition)."""
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', self.page, flags=re.S)
        if not match:
            raise PublishError("index.html: no JSON-LD in the bundle's page (a bundle from an older perrypress) — "
                               "run `perrypress publish` again")
        article = json.loads(match.group(1).replace("<\\/", "</"))
        article["encoding"] = [{**e, "contentUrl": urls[e["encodingFormat"]]} for e in article.get("encoding", [])
                               if e.get("encodingFormat") in urls]
        return article

    def fields(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The fields perrypress writes, as the site stores them (raw), whether from a payload or a live entry."""
        def raw(value: Any) -> Any:
            return value.get("raw", "") if isinstance(value, dict) else value
        meta = entry.get("meta") or {}
        found = {"slug": entry.get("slug"), "title": raw(entry.get("title")), "excerpt": raw(entry.get("excerpt")),
                 "content": without_marker(raw(entry.get("content"))), "featured_media": entry.get("featured_media"),
                 "meta": {key: meta.get(key) for key in sorted(self.site.meta.values())}}
        found.update({key: sorted(entry.get(key) or []) for key in sorted(self.site.taxonomies.values())})
        return found

    def edited(self, entry: dict[str, Any]) -> list[str]:
        """The fields of ``entry`` changed on the site since perrypress wrote it ([] when none, or not known)."""
        marked = marker_fields(entry["content"]["raw"])
        recorded = {k: v for k, v in marked.items() if k not in {"publication", "release"}}
        if not recorded:
            return []
        live = _fields_digest(self.fields(entry))
        return sorted(k for k, v in recorded.items() if live.get(k) != v)

    # Writing -----------------------------------------------------------------------------------
    def upload(self, file: File, *, entry_id: int | None) -> dict[str, Any]:
        """Upload one file as a media item attached to the entry; a lost answer is looked for by SHA-256 first."""
        params: dict[str, Any] = {"description": media_marker(self.slug, file.digest, file.key), "title": file.name}
        if file.alt:
            params["alt_text"] = file.alt
        if entry_id:
            params["post"] = entry_id
        suffix = Path(file.upload_name).suffix

        def recover() -> dict[str, Any] | None:
            return next((m for m in self.media_on_site(None) if _digest_of(m) == file.digest), None)

        return self.client.call("POST", "media", what=f"upload {file.name}", params=params, data=file.data,
                                recover=recover, headers={
                                    "Content-Type": MEDIA_TYPES.get(suffix, "application/octet-stream"),
                                    "Content-Disposition": f'attachment; filename="{file.upload_name}"'})

    def create_term(self, field_name: str, name: str) -> int:
        """Create a term (or find the one a lost answer made, or that exists under an encoded name)."""
        route = self.site.taxonomies[field_name]

        def recover() -> dict[str, Any] | None:
            self._terms.pop(field_name, None)
            found = self.term(field_name, name)
            return {"id": found} if found is not None else None

        made = self.client.call("POST", route, what=f"create {field_name} {name!r}",
                                config_key=f"taxonomies.{field_name}", json={"name": name}, recover=recover,
                                accept=frozenset({"term_exists"}))
        if made.get("code") == "term_exists":
            return int((made.get("data") or {}).get("term_id"))
        return int(made["id"])

    def create_placeholder(self, title: str) -> dict[str, Any]:
        """A draft entry holding the slug, so the uploads can be attached to it; nobody sees a draft."""
        payload = {"slug": self.slug, "title": title, "status": "draft",
                   "content": f"<!-- wp:html -->\n<!-- perrypress publication={self.slug} release=none -->\n"
                              "<!-- /wp:html -->"}
        return self.client.call("POST", self.site.rest_base, what="create the entry", config_key="rest_base",
                                json=payload, params={"context": "edit"}, recover=self._entry_by_slug)

    def delete_media(self, item_id: int, what: str) -> None:
        """Delete one upload for good (a repeat after a lost answer finds it gone: that is fine)."""
        self.client.call("DELETE", f"media/{item_id}", what=what, params={"force": "true"},
                         accept=frozenset({"rest_post_invalid_id"}))

    # The run --------------------------------------------------------------------------------------
    def run(self, *, status: str | None = None, dry_run: bool = False, force: bool = False,
            keep_old: bool = False) -> Plan:
        """Check the site, upload what is missing, switch the entry to the release, then remove the previous one."""
        try:
            return self._run(status=status, dry_run=dry_run, force=force, keep_old=keep_old)
        except NoAnswer as exc:
            if "What the site holds now" in str(exc):
                raise
            raise NoAnswer(f"{exc}\nNothing was written to the site.") from None

    def _run(self, *, status: str | None, dry_run: bool, force: bool, keep_old: bool) -> Plan:
        plan = Plan(release=self.release)
        self.login()
        plugin = self.client.has_namespace(EDITIONS_PLUGIN)
        self.check_schema()
        self.check_capability()
        entry, twins = self.find_entry()
        plan.twins = [f"entry {e['id']} ({e['slug']}, {e['status']})" for e in twins]
        if entry is not None:
            plan.entry_id = entry["id"]
            if not marker_fields(entry["content"]["raw"]) and not force and "perrypress-digest" not in entry["content"]["raw"]:
                raise PublishError(f"entry {entry['id']} ({entry['slug']}) on {self.site.url} was not written by "
                                   "perrypress — give --force to replace its content with this release, or change "
                                   "library.slug in report.qmd; nothing was written")
            edited = self.edited(entry)
            if edited and not force:
                raise PublishError(
                    f"entry {entry['id']} ({entry['slug']}) was edited on {self.site.url} since the last publish "
                    f"({', '.join(edited)} changed) — carry the edits into the sources and publish again, or give "
                    "--force to restore this release over them; nothing was written")
        files = self.files()
        on_site = self.media_on_site(entry)
        media, twin_media = self._choose(files, on_site, entry)
        plan.twins += [f"upload {m['id']} ({m.get('source_url', '')}, a copy of {files[k].name})" for k, m in twin_media]
        missing = {k: f for k, f in files.items() if k not in media}
        plan.reused = [files[k].name for k in media]
        terms, new_terms = self.terms()
        if dry_run:
            plan.uploaded = [f.name for f in missing.values()]
            plan.terms = [f"{f}: {v}" for f, v in new_terms]
            previous = self.previous_addresses(entry, on_site, files, media, twin_media)
            same = not missing and not new_terms and entry is not None and self._same(
                entry, self.payload(media, terms, previous), status)
            plan.entry = "unchanged" if same else ("update" if entry else "create")
            plan.removed = [] if keep_old else self._previous(on_site, files, media, twin_media)[1]
            return plan
        progress = Progress(entry=entry, release=self.release)
        try:
            if entry is None:
                progress.pending = f"the creation of entry {self.slug} (a draft placeholder)"
                entry = self.create_placeholder(self.payload_title())
                progress.entry, progress.placeholder, progress.pending = entry, True, ""
                plan.entry_id = entry["id"]
                self._save(entry, release=None, files={})
            for key, file in missing.items():
                progress.pending = f"the upload of {file.name}"
                media[key] = self.upload(file, entry_id=entry["id"])
                progress.pending = ""
                progress.uploaded.append(f"{media[key]['id']} {file.name}")
                plan.uploaded.append(file.name)
            for field_name, value in new_terms:
                progress.pending = f"the creation of the {field_name} term {value!r}"
                terms[field_name].append(self.create_term(field_name, value))
                progress.pending = ""
                plan.terms.append(f"{field_name}: {value}")
            payload = self.payload(media, terms, self.previous_addresses(entry, on_site, files, media, twin_media))
            if not progress.placeholder and self._same(entry, payload, status):
                plan.entry = "unchanged"
            else:
                if status:
                    payload["status"] = status
                progress.switching = True
                saved = self.client.call("POST", f"{self.site.rest_base}/{entry['id']}", config_key="rest_base",
                                         what="switch the entry to the release", json=payload,
                                         params={"context": "edit"})
                progress.switching, progress.switched = False, True
                plan.entry = "created" if progress.placeholder else "updated"
                changed = sorted(k for k, v in self.fields(payload).items() if self.fields(saved).get(k) != v)
                if changed:
                    plan.warnings.append(f"the site changed the entry's {', '.join(changed)} as it saved it (a "
                                         "plugin's filter?): the next run will report it as edited on the site")
                entry = saved
            self._save(entry, release=self.release, files={k: {"id": m["id"], "sha256": files[k].digest,
                                                               "url": m["source_url"]} for k, m in media.items()})
            if not keep_old:
                old, _ = self._previous(self.media_on_site(entry), files, media, twin_media)
                for item in old:
                    self.delete_media(item["id"], what=f"delete the previous release's {item['id']}")
                    progress.deleted.append(item["id"])
                    plan.removed.append(f"{item['id']} {item.get('source_url', '')}")
        except PublishError as exc:
            if isinstance(exc, SiteError):  # a definite refusal: the request did not take effect
                progress.switching, progress.pending = False, ""
            raise NoAnswer(f"{exc}\n{progress.holdings(self)}") from None
        link = entry.get("link") or ""
        if plugin and link:
            join = "&" if "?" in link else "?"
            plan.stable = [f"{link}{join}edition={key}" for key in ("pdf", "docx")]
        elif not plugin and plan.removed:
            plan.warnings.append(
                f"{self.site.url} has no perrypress-editions mu-plugin: the previous release's addresses answer the "
                "site's 404 page, not the current edition; install src/perrypress/publish/site/perrypress-editions.php "
                "in wp-content/mu-plugins/ so they redirect to it (README: Publishing)")
        return plan

    def previous_addresses(self, entry: dict[str, Any] | None, on_site: list[dict[str, Any]], files: dict[str, File],
                           media: dict[str, dict[str, Any]], twin_media: list[tuple[str, dict[str, Any]]]
                           ) -> dict[str, str]:
        """Earlier releases' file addresses → their role: those the live entry lists, and this paper's other uploads."""
        found = dict(files_of(entry["content"]["raw"])["previous"]) if entry else {}
        old, _ = self._previous(on_site, files, media, twin_media)
        found.update({m["source_url"]: _key_of(m) for m in old if m.get("source_url") and _key_of(m)})
        return dict(sorted(found.items()))

    def payload_title(self) -> str:
        return self.record["title"] + (f": {self.record['subtitle']}" if self.record["subtitle"] else "")

    def _choose(self, files: dict[str, File], on_site: list[dict[str, Any]], entry: dict[str, Any] | None
                ) -> tuple[dict[str, dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
        """The upload to use for each file already on the site, and the twins (other copies of the same file)."""
        recorded = {f["id"] for f in ((self.state or {}).get("files") or {}).values()}
        by_digest: dict[str, list[dict[str, Any]]] = {}
        for item in on_site:
            by_digest.setdefault(_digest_of(item), []).append(item)
        chosen: dict[str, dict[str, Any]] = {}
        twins: list[tuple[str, dict[str, Any]]] = []
        for key, file in files.items():
            copies = by_digest.get(file.digest, [])
            if not copies:
                continue
            copies.sort(key=lambda m: (m["id"] not in recorded, entry is None or m.get("post") != entry["id"], m["id"]))
            chosen[key] = copies[0]
            twins += [(key, m) for m in copies[1:]]
        return chosen, twins

    def _previous(self, on_site: list[dict[str, Any]], files: dict[str, File], media: dict[str, dict[str, Any]],
                  twin_media: list[tuple[str, dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[str]]:
        """This publication's uploads that are no file of this release (previous releases, orphans)."""
        current = {f.digest for f in files.values()}
        used = {m["id"] for m in media.values()} | {m["id"] for _, m in twin_media}
        old = [m for m in on_site if _digest_of(m) not in current and m["id"] not in used]
        return old, [f"{m['id']} {m.get('source_url', '')}" for m in old]

    def _same(self, live: dict[str, Any], payload: dict[str, Any], status: str | None) -> bool:
        """Whether the live entry already is ``payload`` (every field) of this release, with ``status``."""
        theirs = marker_fields(live["content"]["raw"])
        return (theirs.get("release") == self.release and self.fields(live) == self.fields(payload)
                and status in (None, live.get("status")))

    def _save(self, entry: dict[str, Any], *, release: str | None, files: dict[str, Any]) -> None:
        if self.root is None:
            return
        self.state = {"site": self.site.url, "publication": self.slug, "entry": entry["id"], "slug": entry["slug"],
                      "release": release, "files": files}
        publish_record.write(self.root, self.state)

    # Cleaning up ----------------------------------------------------------------------------------
    def cleanup(self, *, dry_run: bool = False) -> list[str]:
        """Remove this publication's uploads the live entry does not use, and twin entries; return what (would) go."""
        self.login()
        entry, twins = self.find_entry()
        used_text = ""
        used_ids: set[int] = set()
        if entry:
            used_text = FILES.sub("", entry["content"]["raw"]) + json.dumps(entry.get("meta") or {})
            used_ids = {entry.get("featured_media") or 0}
        verb = "would delete" if dry_run else "deleted"
        done = []
        live_release = marker_fields(entry["content"]["raw"]).get("release") if entry else None
        kept: set[str] = set()
        if live_release == self.release:
            kept = {f.digest for f in self.files().values()}
        elif self.state and self.state.get("release") == live_release:
            kept = {f["sha256"] for f in (self.state.get("files") or {}).values()}
        live_files = {k: f for k, f in self.files().items() if f.digest in kept}
        chosen, _ = self._choose(live_files, self.media_on_site(entry), entry) if live_files else ({}, [])
        used_ids |= {m["id"] for m in chosen.values()}
        for item in self.media_on_site(entry):
            if item["id"] in used_ids or (item.get("source_url") and item["source_url"] in used_text):
                continue
            if not dry_run:
                self.delete_media(item["id"], what=f"delete upload {item['id']}")
            done.append(f"{verb} upload {item['id']} {item.get('source_url', '')}")
        for twin in twins:
            if not dry_run:
                self.client.call("DELETE", f"{self.site.rest_base}/{twin['id']}", config_key="rest_base",
                                 what=f"move twin entry {twin['id']} to the trash",
                                 accept=frozenset({"rest_already_trashed", "rest_post_invalid_id"}))
            done.append(f"{'would move' if dry_run else 'moved'} twin entry {twin['id']} ({twin['slug']}, "
                        f"{twin['status']}) to the trash")
        return done


@dataclass
class Progress:
    """How far a run got, to say exactly what the site holds when it stops."""

    entry: dict[str, Any] | None
    release: str
    placeholder: bool = False
    uploaded: list[str] = field(default_factory=list)
    switching: bool = False
    switched: bool = False
    deleted: list[int] = field(default_factory=list)
    pending: str = ""  # the write in flight when the run stopped (it may have taken effect)

    def holdings(self, publisher: Publisher) -> str:
        """What the site holds now, in words, and what to do."""
        lines = ["What the site holds now:"]
        entry = self.entry
        if entry is None:
            lines.append("  no entry for this paper (none confirmed)" if self.pending else "  no entry for this paper")
        else:
            shown = marker_fields(entry["content"]["raw"]).get("release")
            if self.placeholder or shown in (None, "none"):
                lines.append(f"  entry {entry['id']} ({entry['slug']}): a draft placeholder, no release yet")
            elif self.switched:
                lines.append(f"  entry {entry['id']} ({entry['slug']}, {entry['status']}) shows the new release "
                             f"{self.release}")
            elif self.switching:
                lines.append(f"  entry {entry['id']} ({entry['slug']}, {entry['status']}): the switch to release "
                             f"{self.release} was sent and no answer came; the entry shows either release {shown} "
                             f"or {self.release}, each in full (WordPress saves an update at once)")
            else:
                lines.append(f"  entry {entry['id']} ({entry['slug']}, {entry['status']}) unchanged, showing "
                             f"release {shown}")
        if self.uploaded:
            shown = " (the entry shows them)" if self.switched else ", not shown yet unless the entry was switched"
            lines.append(f"  uploaded for release {self.release}{shown}: " + ", ".join(self.uploaded))
        if self.pending:
            lines.append(f"  {self.pending} was sent and no answer came: it may be on the site (the next run finds "
                         "it and makes no copy)")
        if self.switched:
            lines.append("  the previous release's files are still there" + (
                f" but {len(self.deleted)} already deleted" if self.deleted else ""))
        lines.append("Run the same command again to finish (it reuses what is there and makes no copy); "
                     "`perrypress publish wordpress --cleanup` removes uploads the entry does not use.")
        return "\n".join(lines)


def _slug_of(item: dict[str, Any]) -> str:
    match = _MEDIA_TAG.search((item.get("description") or {}).get("raw", ""))
    return match.group("slug") if match else ""


def _key_of(item: dict[str, Any]) -> str:
    match = _MEDIA_TAG.search((item.get("description") or {}).get("raw", ""))
    return (match.group("key") or "") if match else ""


def _digest_of(item: dict[str, Any]) -> str:
    match = _MEDIA_TAG.search((item.get("description") or {}).get("raw", ""))
    return match.group("digest") if match else ""


def publish(config: dict[str, Any], *, root: Path, url: str | None = None, status: str | None = None,
            dry_run: bool = False, cleanup: bool = False, force: bool = False, keep_old: bool = False,
            allow_dirty: bool = False, out: Callable[[str], None] = print) -> Plan | None:
    """``perrypress publish wordpress``: publish the project's bundle; report on ``out`` what changed (or would)."""
    library, _ = library_metadata(root / config["report"])
    bundle = root / SITE / library["slug"]
    site = Site.from_config(config, url=url)
    user, password = credentials()
    manifest = check_manifest(bundle) if (bundle / MANIFEST).exists() else None
    if manifest is None:
        raise PublishError(f"{bundle}: no {MANIFEST} — run `perrypress publish` first to make the bundle")
    for warning in check_fresh(manifest, root, allow_dirty=allow_dirty):
        out(f"warning: {warning}")
    publisher = Publisher(bundle, Client(site, user=user, password=password), root=root,
                          labels=report_labels(root / config["report"]))
    if cleanup:
        done = publisher.cleanup(dry_run=dry_run)
        out("\n".join(done) or "nothing to clean up")
        if dry_run:
            out("dry run: nothing was changed")
        return None
    plan = publisher.run(status=status, dry_run=dry_run, force=force, keep_old=keep_old)
    verb = "would " if dry_run else ""
    for name in plan.uploaded:
        out(f"would upload {name}" if dry_run else f"uploaded {name}")
    for name in plan.reused:
        out(f"reused {name} (same SHA-256)")
    for term in plan.terms:
        out(f"{verb}create term {term}" if dry_run else f"created term {term}")
    if plan.entry == "unchanged":
        out(f"no changes: entry {plan.entry_id} ({publisher.slug}) is up to date (release {plan.release})")
    elif dry_run:
        out(f"would {plan.entry} entry {publisher.slug}" + (f" ({plan.entry_id})" if plan.entry_id else "")
            + f" with release {plan.release}")
    else:
        out(f"{plan.entry} entry {plan.entry_id} ({publisher.slug}) at {site.url}: release {plan.release}")
    for item in plan.removed:
        out(f"{verb}delete the previous release's upload {item}" if dry_run else f"deleted the previous release's upload {item}")
    for address in plan.stable:
        out(f"stable address (always the current edition): {address}")
    for twin in plan.twins:
        out(f"twin left by an earlier run: {twin} — `perrypress publish wordpress --cleanup` removes it")
    for warning in plan.warnings:
        out(f"warning: {warning}")
    if dry_run:
        out("dry run: nothing was changed")
    return plan

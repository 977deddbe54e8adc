"""Publish the bundle to the Center's WordPress document library through the REST API.

Media (PDF, DOCX, the figure's PNG) are uploaded first and reused when an
upload with the same SHA-256 exists (the hash is kept in the media item's
description); the entry is created or updated by slug last, so a failure in
between leaves the live entry as it was and only lists the orphaned uploads.
Credentials come from PERRYPRESS_WP_USER and PERRYPRESS_WP_APP_PASSWORD and are
never printed or logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import requests

from ..errors import PublishError
from .bundle import RECORD, SITE, check_manifest, dump_json, library_metadata, sha256

log = logging.getLogger(__name__)

USER_ENV, PASSWORD_ENV = "PERRYPRESS_WP_USER", "PERRYPRESS_WP_APP_PASSWORD"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
CONFIG_KEY = "config/config.yaml publish.wordpress"
MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_DIGEST = re.compile(r"<!-- perrypress-digest sha256:([0-9a-f]{64}) -->")


@dataclass(frozen=True)
class Site:
    """Where and how to publish: the site's URL and the library's names from the configuration."""

    url: str
    rest_base: str
    taxonomies: dict[str, str]
    meta: dict[str, str]
    timeout: float = 60
    retries: int = 3

    @classmethod
    def from_config(cls, config: dict[str, Any], *, url: str | None = None) -> Site:
        """The site as config/config.yaml describes it; ``url`` (from --url) overrides the configured one."""
        spec = config["publish"]["wordpress"]
        site = cls(url=(url or spec["url"]).rstrip("/"), rest_base=spec["rest_base"],
                   taxonomies=dict(spec["taxonomies"]), meta=dict(spec["meta"]),
                   timeout=float(spec.get("timeout", 60)), retries=int(spec.get("retries", 3)))
        parts = urlsplit(site.url)
        if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            raise PublishError(f"{site.url}: refusing plain http:// (the Application Password would cross the "
                               "network unencrypted) — use https:// (http:// is allowed only for localhost and 127.0.0.1)")
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise PublishError(f"{site.url}: not a web address — give --url https://… or set {CONFIG_KEY}.url")
        return site


def credentials(environ: dict[str, str] | None = None) -> tuple[str, str]:
    """The user name and Application Password from the environment (never from a file)."""
    environ = os.environ if environ is None else environ
    user, password = environ.get(USER_ENV, ""), environ.get(PASSWORD_ENV, "")
    if not user or not password:
        raise PublishError(f"no credentials — set {USER_ENV} and {PASSWORD_ENV} (an Application Password "
                           "from the user's profile page in WordPress) in the environment")
    return user, password


class Client:
    """A small WordPress REST client: authentication, timeouts, retries with back-off, clear errors."""

    def __init__(self, site: Site, *, user: str, password: str, sleep: Callable[[float], None] = time.sleep,
                 backoff: float = 1.0) -> None:
        self.site, self.sleep, self.backoff = site, sleep, backoff
        self.session = requests.Session()
        self.session.auth = (user, password)
        self.session.headers["User-Agent"] = "perrypress"

    def call(self, method: str, route: str, *, what: str, config_key: str | None = None, **kwargs: Any) -> Any:
        """Send one request to ``/wp-json/wp/v2/<route>``; return its JSON or raise PublishError saying why."""
        url = f"{self.site.url}/wp-json/wp/v2/{route}"
        for attempt in range(self.site.retries + 1):
            try:
                response = self.session.request(method, url, timeout=self.site.timeout, **kwargs)
            except requests.RequestException as exc:
                if attempt == self.site.retries:
                    raise PublishError(f"{what}: no answer from {self.site.url} after {attempt + 1} tries "
                                       f"({type(exc).__name__}) — check the URL and that the site is up") from None
            else:
                if response.status_code < 500 or _code(response).startswith("rest_upload"):
                    return _answer(response, what=what, route=route, config_key=config_key)
                if attempt == self.site.retries:
                    raise PublishError(f"{what}: server error (HTTP {response.status_code}) after {attempt + 1} "
                                       "tries — try again later; nothing after this step was changed")
            delay = self.backoff * 2 ** attempt
            log.info("%s: retrying in %.0f s", what, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")


def _code(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


def _answer(response: requests.Response, *, what: str, route: str, config_key: str | None) -> Any:
    """The JSON of a successful answer; PublishError with the reason and the fix otherwise."""
    if response.ok:
        return response.json()
    code = _code(response)
    try:
        message = str(response.json().get("message", ""))
    except (ValueError, AttributeError):
        message = ""
    status = response.status_code
    if status == 401:
        raise PublishError(f"{what}: the site refused the credentials (HTTP 401{', ' + code if code else ''}) — "
                           f"check {USER_ENV} and {PASSWORD_ENV} (an Application Password, not the login password)")
    if status == 404 and code == "rest_no_route":
        key = f"{CONFIG_KEY}.{config_key}" if config_key else CONFIG_KEY
        raise PublishError(f"{what}: the site has no REST route /wp-json/wp/v2/{route.split('?')[0]} (HTTP 404) — "
                           f"set {key} to the name the Center's library plugin registers (ask the site team)")
    if code.startswith("rest_upload") or status in {413, 415}:
        raise PublishError(f"{what}: the site refused the upload (HTTP {status}: {message or code}) — "
                           "allow the file type or raise the upload size limit on the site")
    raise PublishError(f"{what}: HTTP {status}{' ' + code if code else ''}: {message or response.reason}")


@dataclass
class Plan:
    """What a run did or would do."""

    uploaded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    entry: str = ""  # "created", "updated" or "unchanged"
    entry_id: int | None = None
    orphans: list[str] = field(default_factory=list)


def marker(slug: str, digest: str) -> str:
    """The text a media item's description carries: the publication and the file's SHA-256."""
    return f"perrypress publication:{slug} sha256:{digest}"


def article(html: str, *, links: dict[str, str]) -> str:
    """The HTML edition's article for the entry's content: no script or style, downloads and figure on the site."""
    match = re.search(r"<article\b.*?</article>", html, flags=re.S)
    if not match:
        raise PublishError("index.html: no <article> in the HTML edition — rebuild the bundle")
    body = re.sub(r"<(script|style)\b.*?</\1>", "", match.group(0), flags=re.S | re.I)
    body = re.sub(r"\s(on[a-z]+|style)=\"[^\"]*\"", "", body)
    for name, url in links.items():
        body = body.replace(f'href="{name}"', f'href="{url}"').replace(f'src="{name}"', f'src="{url}"')
    return f'<div class="perrypress-paper">\n{body}\n</div>'


def _figure_src(body: str, png_url: str) -> str:
    """Point Figure 1's inlined image (a data: URI) at the uploaded PNG."""
    return re.sub(r'(<figure id="fig-[^"]*".*?<img\b[^>]*?\ssrc=")data:[^"]*(")', rf"\g<1>{png_url}\g<2>", body,
                  count=1, flags=re.S)


class Publisher:
    """Publishes one bundle to one site."""

    def __init__(self, bundle: Path, client: Client) -> None:
        check_manifest(bundle)
        self.bundle, self.client, self.site = bundle, client, client.site
        self.record = json.loads((bundle / RECORD).read_text(encoding="utf-8"))
        self.slug = self.record["slug"]

    # Reading the site --------------------------------------------------------------------------
    def login(self) -> None:
        """Check the credentials first: WordPress treats a wrong Application Password as an anonymous visitor."""
        self.client.call("GET", "users/me", what="log in", params={"context": "edit"})

    def entry(self) -> dict[str, Any] | None:
        """The live entry with this slug (any status), or None."""
        found = self.client.call("GET", self.site.rest_base, what="look up the entry", config_key="rest_base",
                                 params={"slug": self.slug, "status": "any", "context": "edit"})
        return found[0] if found else None

    def media(self, path: Path) -> dict[str, Any] | None:
        """An uploaded media item carrying this file's SHA-256 for this publication, or None."""
        digest = sha256(path)
        found = self.client.call("GET", "media", what=f"look up {path.name}",
                                 params={"search": digest, "context": "edit", "per_page": 100})
        tag = marker(self.slug, digest)
        return next((m for m in found if tag in (m.get("description") or {}).get("raw", "")), None)

    def term(self, field_name: str, name: str) -> int | None:
        """The id of the term ``name`` in the library's taxonomy for ``field_name``, or None."""
        taxonomy = self.site.taxonomies[field_name]
        found = self.client.call("GET", taxonomy, what=f"look up {field_name} {name!r}",
                                 config_key=f"taxonomies.{field_name}", params={"search": name, "per_page": 100})
        return next((t["id"] for t in found if t["name"] == name), None)

    # Writing -----------------------------------------------------------------------------------
    def upload(self, path: Path, *, alt: str = "") -> dict[str, Any]:
        """Upload one file as a media item, tagged with its SHA-256."""
        params = {"description": marker(self.slug, sha256(path)), "title": path.name}
        if alt:
            params["alt_text"] = alt
        return self.client.call("POST", "media", what=f"upload {path.name}", params=params, data=path.read_bytes(),
                                headers={"Content-Type": MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                                         "Content-Disposition": f'attachment; filename="{path.name}"'})

    def files(self) -> dict[str, Path]:
        """The bundle's files that go to the site as media: PDF, DOCX and the figures' PNGs."""
        files = self.record["files"]
        chosen = {"pdf": self.bundle / files["pdf"], "docx": self.bundle / files["docx"]}
        chosen.update({f"figure:{slug}": self.bundle / png for slug, png in files["figures"].items()})
        return chosen

    def payload(self, media: dict[str, dict[str, Any]], terms: dict[str, list[int]]) -> dict[str, Any]:
        """The entry as the REST API takes it (without status), with its digest in the content."""
        record, meta_keys = self.record, self.site.meta
        html = (self.bundle / record["files"]["html"]).read_text(encoding="utf-8")
        links = {record["files"][ext]: media[ext]["source_url"] for ext in ("pdf", "docx")}
        figures = [k for k in media if k.startswith("figure:")]
        content = article(html, links=links)
        if figures:
            content = _figure_src(content, media[figures[0]]["source_url"])
        entry: dict[str, Any] = {
            "slug": self.slug, "title": record["title"] + (f": {record['subtitle']}" if record["subtitle"] else ""),
            "excerpt": record["summary"], "content": content,
            "featured_media": media[figures[0]]["id"] if figures else 0,
            "meta": {meta_keys["authors"]: "; ".join(record["authors"]), meta_keys["year"]: record["year"],
                     meta_keys["pdf"]: media["pdf"]["source_url"], meta_keys["docx"]: media["docx"]["source_url"]},
        }
        entry.update({self.site.taxonomies[name]: ids for name, ids in terms.items()})
        digest = hashlib.sha256(dump_json(entry).encode("utf-8")).hexdigest()
        entry["content"] = f"<!-- perrypress-digest sha256:{digest} -->\n{content}"
        return entry

    def run(self, *, status: str | None = None, dry_run: bool = False) -> Plan:
        """Upload what is missing, then create or update the entry; with ``dry_run`` only say what would change."""
        plan = Plan()
        self.login()
        live = self.entry()
        plan.entry_id = live["id"] if live else None
        media: dict[str, dict[str, Any]] = {}
        missing: dict[str, Path] = {}
        for role, path in self.files().items():
            found = self.media(path)
            if found:
                media[role] = found
                plan.reused.append(path.name)
            else:
                missing[role] = path
        names = {"category": [self.record["category"]], "topics": self.record["topics"],
                 "countries": self.record["countries"], "language": [self.record["language"]]}
        terms: dict[str, list[int]] = {}
        new_terms: list[tuple[str, str]] = []
        for field_name, values in names.items():
            terms[field_name] = []
            for value in values:
                term_id = self.term(field_name, value)
                if term_id is None:
                    new_terms.append((field_name, value))
                else:
                    terms[field_name].append(term_id)
        if dry_run:
            plan.uploaded = [p.name for p in missing.values()]
            plan.terms = [f"{f}: {v}" for f, v in new_terms]
            unchanged = not missing and not new_terms and live and self._same(live, self.payload(media, terms), status)
            plan.entry = "unchanged" if unchanged else ("update" if live else "create")
            return plan
        try:
            for role, path in missing.items():
                media[role] = self.upload(path, alt=self._alt(role))
                plan.uploaded.append(path.name)
            for field_name, value in new_terms:
                created = self.client.call("POST", self.site.taxonomies[field_name], what=f"create {field_name} {value!r}",
                                           config_key=f"taxonomies.{field_name}", json={"name": value})
                terms[field_name].append(created["id"])
                plan.terms.append(f"{field_name}: {value}")
            payload = self.payload(media, terms)
            if live and self._same(live, payload, status):
                plan.entry = "unchanged"
                return plan
            if status or not live:
                payload["status"] = status or "draft"
            route = f"{self.site.rest_base}/{live['id']}" if live else self.site.rest_base
            saved = self.client.call("POST", route, what="update the entry" if live else "create the entry",
                                     config_key="rest_base", json=payload)
        except PublishError as exc:
            orphans = [f"{media[role]['id']} {path.name} ({media[role]['source_url']})"
                       for role, path in missing.items() if role in media]
            if orphans:
                raise PublishError(f"{exc}\nThe live entry was not changed. Uploaded but not used (orphans):\n  "
                                   + "\n  ".join(orphans) + "\nRemove them with `perrypress publish wordpress --cleanup`"
                                   ) from None
            raise
        plan.entry, plan.entry_id = ("updated" if live else "created"), saved["id"]
        return plan

    def _alt(self, role: str) -> str:
        return f"Figure from {self.record['title']}" if role.startswith("figure:") else ""

    @staticmethod
    def _same(live: dict[str, Any], payload: dict[str, Any], status: str | None) -> bool:
        """Whether the live entry already is ``payload`` (compared by the digest in its content) and ``status``."""
        mine = _DIGEST.search(payload["content"])
        theirs = _DIGEST.search((live.get("content") or {}).get("raw", ""))
        return bool(mine and theirs and mine.group(1) == theirs.group(1)) and status in (None, live.get("status"))

    def cleanup(self) -> list[str]:
        """Delete this publication's uploads that the live entry does not use; return what was deleted."""
        self.login()
        live = self.entry()
        used: set[Any] = set()
        if live:
            used = {live.get("featured_media")} | {v for v in (live.get("meta") or {}).values() if isinstance(v, str)}
        found = self.client.call("GET", "media", what="look up uploads", params={
            "search": f"publication:{self.slug}", "context": "edit", "per_page": 100})
        removed = []
        for item in found:
            if f"perrypress publication:{self.slug} " not in (item.get("description") or {}).get("raw", ""):
                continue
            if item["id"] in used or item.get("source_url") in used:
                continue
            self.client.call("DELETE", f"media/{item['id']}", what=f"delete upload {item['id']}", params={"force": "true"})
            removed.append(f"{item['id']} {item.get('source_url', '')}")
        return removed


def publish(config: dict[str, Any], *, root: Path, url: str | None = None, status: str | None = None,
            dry_run: bool = False, cleanup: bool = False, out: Callable[[str], None] = print) -> Plan | None:
    """``perrypress publish wordpress``: publish the project's bundle; report on ``out`` what changed (or would)."""
    library, _ = library_metadata(root / config["report"])
    bundle = root / SITE / library["slug"]
    site = Site.from_config(config, url=url)
    user, password = credentials()
    publisher = Publisher(bundle, Client(site, user=user, password=password))
    if cleanup:
        removed = publisher.cleanup()
        out("\n".join(f"deleted upload {r}" for r in removed) or "no orphaned uploads")
        return None
    plan = publisher.run(status=status, dry_run=dry_run)
    verb = "would " if dry_run else ""
    for name in plan.uploaded:
        out(f"{verb}upload {name}" if dry_run else f"uploaded {name}")
    for name in plan.reused:
        out(f"reused {name} (same SHA-256)")
    for term in plan.terms:
        out(f"{verb}create term {term}" if dry_run else f"created term {term}")
    if plan.entry == "unchanged":
        out(f"no changes: entry {plan.entry_id} ({publisher.slug}) is up to date")
    elif dry_run:
        out(f"would {plan.entry} entry {publisher.slug}" + (f" ({plan.entry_id})" if plan.entry_id else ""))
        out("dry run: nothing was changed")
    else:
        out(f"{plan.entry} entry {plan.entry_id} ({publisher.slug}) at {site.url}")
    return plan

"""A small WordPress REST client: the site from the configuration, credentials, timeouts, safe retries, clear errors.

Reads (GET, OPTIONS), updates of a known item and deletions are repeated after
a lost answer (a dropped connection, a read timeout, a 5xx): sending them again
does no harm. A create is never simply sent again: the site may have saved it
and lost only the answer, so the caller's ``recover`` looks for what the lost
request may have made first, and the create is repeated only when nothing is
there.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

import requests

from ..errors import PublishError

log = logging.getLogger(__name__)

USER_ENV, PASSWORD_ENV = "PERRYPRESS_WP_USER", "PERRYPRESS_WP_APP_PASSWORD"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
CONFIG_KEY = "config/config.yaml publish.wordpress"
READS = {"GET", "OPTIONS", "HEAD"}


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
        spec = (config.get("publish") or {}).get("wordpress")
        if not spec:
            raise PublishError(f"{CONFIG_KEY}: not set — add publish: wordpress: (url, rest_base, taxonomies, meta: "
                               "the names of the Center's library plugin; README, \"Publishing\", has the block to "
                               "copy); nothing was written")
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


class SiteError(PublishError):
    """The site answered, and refused: the HTTP status and WordPress's error code are kept for the caller."""

    def __init__(self, message: str, *, status: int, code: str, data: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.data = status, code, data


class NoAnswer(PublishError):
    """The request went out and no usable answer came back, after every retry: it may or may not have taken effect."""


class Client:
    """Sends requests to ``/wp-json/wp/v2/``; repeats only what is safe to repeat."""

    def __init__(self, site: Site, *, user: str, password: str, sleep: Callable[[float], None] = time.sleep,
                 backoff: float = 1.0) -> None:
        self.site, self.sleep, self.backoff = site, sleep, backoff
        self.session = requests.Session()
        self.session.auth = (user, password)
        self.session.headers["User-Agent"] = "perrypress"
        self.writes = 0  # requests that may have changed the site (for the tests and the log)

    def call(self, method: str, route: str, *, what: str, config_key: str | None = None,
             recover: Callable[[], Any] | None = None, accept: frozenset[str] = frozenset(), **kwargs: Any) -> Any:
        """Send one request; return its JSON, or raise PublishError saying why.

        After a lost answer, ``recover`` (for a create) is asked first whether the request took effect; its
        answer, when not None, is returned as the request's. ``accept`` lists WordPress error codes whose
        answer is returned instead of raised (a term that exists, an item already deleted).
        """
        url = f"{self.site.url}/wp-json/wp/v2/{route}"
        lost = ""
        for attempt in range(self.site.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("%s: %s; trying again in %.0f s", what, lost, delay)
                self.sleep(delay)
                if recover is not None:
                    found = recover()
                    if found is not None:
                        log.info("%s: the lost request had taken effect; not sent again", what)
                        return found
            if method not in READS:
                self.writes += 1
            try:
                response = self.session.request(method, url, timeout=self.site.timeout, **kwargs)
            except requests.RequestException as exc:
                lost = f"no answer ({type(exc).__name__})"
                continue
            code, body = _body(response)
            if response.status_code < 500 or code.startswith("rest_upload"):
                return _answer(response, code, body, what=what, route=route, config_key=config_key, accept=accept)
            lost = f"server error (HTTP {response.status_code})"
        raise NoAnswer(f"{what}: {lost} after {self.site.retries + 1} tries from {self.site.url} — "
                       "check that the site is up")

    def has_namespace(self, namespace: str) -> bool:
        """Whether the site's REST index lists ``namespace`` (a plugin's routes); False when the index is not readable."""
        try:
            response = self.session.get(f"{self.site.url}/wp-json/", timeout=self.site.timeout)
            found = response.json().get("namespaces") if response.ok else None
        except (requests.RequestException, ValueError, AttributeError):
            return False
        return isinstance(found, list) and namespace in found

    def pages(self, route: str, *, what: str, config_key: str | None = None, params: dict[str, Any]) -> list[Any]:
        """Every item of a collection, page by page."""
        found: list[Any] = []
        page = 1
        while True:
            batch = self.call("GET", route, what=what, config_key=config_key,
                              params={**params, "per_page": 100, "page": page})
            found += batch
            if len(batch) < 100:
                return found
            page += 1


def _body(response: requests.Response) -> tuple[str, Any]:
    """WordPress's error code (or "") and the JSON body (or None)."""
    try:
        body = response.json()
    except ValueError:
        return "", None
    return (str(body.get("code", "")) if isinstance(body, dict) else ""), body


def _answer(response: requests.Response, code: str, body: Any, *, what: str, route: str, config_key: str | None,
            accept: frozenset[str]) -> Any:
    """The JSON of a successful answer (or of an accepted error); SiteError with the reason and the fix otherwise."""
    if response.ok or code in accept:
        if body is None and response.ok:
            raise NoAnswer(f"{what}: the site answered HTTP {response.status_code} without JSON — is "
                           f"{response.url.split('/wp-json/')[0]} a WordPress site?")
        return body
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    data = body.get("data") if isinstance(body, dict) else None
    status = response.status_code

    def fail(text: str) -> SiteError:
        return SiteError(text, status=status, code=code, data=data)

    if status == 401:
        raise fail(f"{what}: the site refused the credentials (HTTP 401{', ' + code if code else ''}) — "
                   f"check {USER_ENV} and {PASSWORD_ENV} (an Application Password, not the login password)")
    if status == 404 and code == "rest_no_route":
        key = f"{CONFIG_KEY}.{config_key}" if config_key else CONFIG_KEY
        raise fail(f"{what}: the site has no REST route /wp-json/wp/v2/{route.split('?')[0]} (HTTP 404) — "
                   f"set {key} to the name the Center's library plugin registers (ask the site team)")
    if code.startswith("rest_upload") or status in {413, 415}:
        raise fail(f"{what}: the site refused the upload (HTTP {status}: {message or code}) — "
                   "allow the file type or raise the upload size limit on the site")
    if status == 403 or code.startswith("rest_cannot"):
        raise fail(f"{what}: the account may not do this (HTTP {status} {code}: {message}) — publish with an "
                   "account that may (an Editor or Administrator of the library)")
    raise fail(f"{what}: HTTP {status}{' ' + code if code else ''}: {message or response.reason}")

"""The page the preview serves: the edition plus an error overlay and a live-reload script, in the response only."""

from __future__ import annotations

import html

EVENTS = "/__preview/events"
# The added snippet is delimited so that a test (or a curious reader) can find and remove it.
SNIPPET_START, SNIPPET_END = "<!-- perrypress preview -->", "<!-- /perrypress preview -->"
OVERLAY_ID = "perrypress-preview-error"
SCRIPT_ID = "perrypress-preview-script"
PDF_FRAME_ID = "perrypress-preview-pdf"

_SCRIPT = """<script id="%(script)s">
(() => {
  const self = document.currentScript;
  const overlay = document.getElementById("%(overlay)s");
  const key = "perrypress-preview-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) { sessionStorage.removeItem(key); window.scrollTo(0, Number(saved)); }
  let version = %(version)d;

  // The new edition in place of the old, when only its body changed: the fonts and styles in the
  // head stay decoded, so the page is shown sooner than a full reload would show it. Returns false
  // (the caller reloads) when the head or the root element changed.
  const attributes = (element) => Array.from(element.attributes, (a) => a.name + "=" + a.value).join(" ");
  async function swap() {
    const response = await fetch(location.href, { cache: "no-store" });
    if (!response.ok) return false;
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    if (next.head.innerHTML !== document.head.innerHTML
        || attributes(next.documentElement) !== attributes(document.documentElement)) return false;
    // The new page's copy of this snippet goes; this one (its event stream) stays.
    next.getElementById("%(overlay)s")?.remove();
    next.getElementById("%(script)s")?.remove();
    const y = window.scrollY;
    document.dispatchEvent(new Event("perry:stop"));  // the edition's scripts release the old body
    const body = document.adoptNode(next.body);
    body.append(overlay, self);
    document.body.replaceWith(body);
    // A parsed script does not run when inserted: each of the edition's scripts runs again as a new one.
    for (const old of body.querySelectorAll("script")) {
      if (old === self) continue;
      const fresh = document.createElement("script");
      for (const a of old.attributes) fresh.setAttribute(a.name, a.value);
      fresh.textContent = old.textContent;
      old.replaceWith(fresh);
    }
    window.scrollTo(0, y);
    return true;
  }
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }

  const events = new EventSource("%(events)s?v=" + version);
  let swapping = Promise.resolve();
  events.addEventListener("reload", (event) => {
    version = Number(event.data);
    const frame = document.getElementById("%(frame)s");
    if (frame) { frame.src = frame.dataset.src + "?v=" + version; overlay.hidden = true; return; }
    // One swap at a time, in the order the builds ended.
    swapping = swapping.then(swap).then((done) => { if (!done) reload(); }, reload);
  });
  events.addEventListener("error", (event) => {
    if (!event.data) return;  // a dropped connection, not a build error: EventSource reconnects
    overlay.querySelector("pre").textContent = JSON.parse(event.data);
    overlay.hidden = false;
  });
  events.addEventListener("ok", () => { overlay.hidden = true; });
})();
</script>"""

_OVERLAY = (
    '<div id="%(overlay)s" role="alert"%(hidden)s style="position:fixed;inset:auto 0 0 0;z-index:2147483647;'
    "max-height:50vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f4;color:#5c0000;"
    'border-top:4px solid #b00020;font:14px/1.5 system-ui,sans-serif;box-shadow:0 -2px 12px #0003">'
    "<strong>The build failed; this is the last good edition.</strong>"
    '<pre style="white-space:pre-wrap;font:13px/1.5 ui-monospace,monospace;margin:.5em 0 0">%(message)s</pre></div>'
)

_PDF_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Preview: %(name)s</title>
<style>html,body{margin:0;height:100%%}iframe{display:block;border:0;width:100%%;height:100%%}</style></head>
<body><iframe id="%(frame)s" title="PDF edition" data-src="/%(name)s" src="/%(name)s?v=%(version)d"></iframe>
</body></html>
"""


def snippet(*, version: int, error: str | None) -> str:
    """The overlay (shown when ``error``) and the live-reload script for a page showing ``version``."""
    overlay = _OVERLAY % {"overlay": OVERLAY_ID, "hidden": "" if error else " hidden",
                          "message": html.escape(error or "")}
    script = _SCRIPT % {"overlay": OVERLAY_ID, "script": SCRIPT_ID, "version": version, "events": EVENTS, "frame": PDF_FRAME_ID}
    return f"{SNIPPET_START}{overlay}{script}{SNIPPET_END}"


def pdf_page(name: str, *, version: int) -> str:
    """A page that shows the PDF edition ``name``, loaded with a cache-busting query."""
    return _PDF_PAGE % {"name": html.escape(name), "version": version, "frame": PDF_FRAME_ID}


def inject(page: bytes, addition: str) -> bytes:
    """Insert ``addition`` before the page's last ``</body>`` (or at its end)."""
    at = page.lower().rfind(b"</body>")
    at = len(page) if at < 0 else at
    return page[:at] + addition.encode("utf-8") + page[at:]

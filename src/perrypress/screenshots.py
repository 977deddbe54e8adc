"""PNG previews of the editions for the README: the PDF's cover and first body page, the HTML page in Chromium."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import BuildError

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")  # Debian's `chromium` package; Playwright's own browsers are never installed
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PDF_SCALE = 1.5  # 108 dpi: a US Letter page is 918 × 1188 px
PAGE_VIEWPORT = {"width": 1280, "height": 1000}


def pdf_page_png(pdf: Path, index: int, out: Path, *, scale: float = PDF_SCALE) -> Path:
    """Render page ``index`` (0-based) of ``pdf`` to the PNG ``out``; byte-identical for the same PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        if not 0 <= index < len(document):
            raise BuildError(f"{pdf}: no page {index + 1} (the PDF has {len(document)}) — rebuild the PDF edition")
        bitmap = document[index].render(scale=scale)
        out.parent.mkdir(parents=True, exist_ok=True)
        bitmap.to_pil().save(out, format="PNG", optimize=True)
    finally:
        document.close()
    log.info("wrote %s", out)
    return out


def first_body_page(pdf: Path) -> int:
    """Return the index of the page the PDF's first bookmark (its first section) points to; else the second page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        for bookmark in document.get_toc():
            destination = bookmark.get_dest()
            if destination is not None and destination.get_index() is not None:
                return int(destination.get_index())
        return min(1, len(document) - 1)
    finally:
        document.close()


def chromium_available() -> bool:
    """True when Debian's Chromium and the playwright package are both installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is not None


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a headless Chromium browser (Playwright driving /usr/bin/chromium); BuildError when it is missing."""
    if not chromium_available():
        raise BuildError(f"{CHROMIUM}: Chromium or the playwright package is missing — run "
                         "`apt-get install -y chromium` and `pip install -e '.[previews]'` (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def html_screenshot(html: Path, out: Path, *, viewport: dict[str, int] | None = None) -> Path:
    """Screenshot the top of the HTML page ``html`` (opened from file://) into the PNG ``out``."""
    viewport = viewport or PAGE_VIEWPORT
    out.parent.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport=viewport, device_scale_factor=1)
        page.emulate_media(reduced_motion="reduce", color_scheme="light")
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(out), full_page=False, animations="disabled", caret="hide")
    log.info("wrote %s", out)
    return out


def write_previews(*, pdf: Path, html: Path, out_dir: Path) -> list[Path]:
    """Write pdf-cover.png, pdf-first-page.png and html-page.png into ``out_dir``."""
    return [
        pdf_page_png(pdf, 0, out_dir / "pdf-cover.png"),
        pdf_page_png(pdf, first_body_page(pdf), out_dir / "pdf-first-page.png"),
        html_screenshot(html, out_dir / "html-page.png"),
    ]

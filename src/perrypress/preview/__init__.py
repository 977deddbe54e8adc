"""``perrypress preview``: build, serve ``_build/`` on 127.0.0.1, rebuild on every save and reload the page.

``page`` makes what is added to the served page, ``server`` serves it and the build folder,
``build`` runs and stops the builds; this module ties them to the file watcher.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading
import webbrowser
from pathlib import Path

from .. import resources
from .builder import Builder
from .server import PreviewServer, Status

log = logging.getLogger(__name__)

# The sources a person edits; a change to any of them rebuilds through the workflow.
# The paper's sources, and the package's filters and templates (shared by every paper; a path outside the
# project when perrypress is installed, this repository's src/perrypress/editions/pandoc/ when it is installed editable).
WATCHED = ["sections", "report.qmd", "data", "references.bib", "config", str(resources.PANDOC), "images"]
BUILD = "_build"


def _interrupt(signum: int, frame: object) -> None:
    """Stop cleanly on SIGINT or SIGTERM (Python leaves SIGINT ignored if its parent ignored it)."""
    raise KeyboardInterrupt


def _watch(paths: list[Path], saves: queue.Queue[set[tuple[object, str]]], stop: threading.Event) -> None:
    """Put every batch of changes under ``paths`` on ``saves`` until ``stop`` is set."""
    from watchfiles import watch

    for changes in watch(*paths, stop_event=stop):
        saves.put(changes)


def _next_saves(saves: queue.Queue[set[tuple[object, str]]]) -> set[tuple[object, str]]:
    """Wait for the next changes, and take with them every change already waiting (one build for all)."""
    while True:
        try:  # a bounded wait, so Ctrl-C is handled at once
            changes = set(saves.get(timeout=0.5))
            break
        except queue.Empty:
            continue
    while not saves.empty():
        changes |= saves.get_nowait()
    return changes


def preview(root: Path, *, edition: Path, port: int = 0, fmt: str = "html", browser: bool = True) -> int:
    """Build, serve the build folder, and rebuild and reload on every change until Ctrl-C."""
    root = root.resolve()
    served = edition.resolve().with_suffix(f".{fmt}")
    status = Status()
    builder = Builder(root, served=served, status=status)
    try:  # bound before the first build, so a busy port is reported at once
        server = PreviewServer(port, edition=served, status=status)
    except OSError as exc:
        log.error("127.0.0.1:%d: cannot listen there (%s) — choose another --port, or leave it out for a free one",
                  port, exc.strerror)
        return 1
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # it logs every change it sees
    serving = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    stop = threading.Event()
    # The watcher starts before the first build and runs beside every build: a save made while a
    # build runs waits in ``saves`` and starts the next build as soon as this one ends.
    saves: queue.Queue[set[tuple[object, str]]] = queue.Queue()
    paths = [root / name for name in WATCHED if (root / name).exists()]
    watching = threading.Thread(target=_watch, args=(paths, saves, stop), name="preview-watcher", daemon=True)
    try:
        watching.start()
        builder.quick.warm()
        builder.run("start")
        serving.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        log.info("Serving %s (%s edition) — Ctrl-C to stop", url, fmt.upper())
        if browser:
            webbrowser.open(url)
        while True:
            changes = _next_saves(saves)
            changed = sorted({os.path.relpath(path, root) for _, path in changes})
            builder.run(", ".join(changed[:3]) + (" …" if len(changed) > 3 else "") + " changed",
                        changed=[Path(path) for _, path in changes], interrupted=lambda: not saves.empty())
    except KeyboardInterrupt:
        log.info("Stopping.")
    finally:
        stop.set()
        builder.stop()
        builder.quick.close()
        status.close()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0

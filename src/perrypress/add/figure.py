"""`perrypress add figure KIND data/x.csv`: the CSV described in the data package, the figure under ``figures:``.

The entry names every key its kind takes, each with a comment, the optional
ones commented out; the required ones are guessed from the CSV (the first
column for the categories or the x axis, the number columns for the values).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .edits import AddError, insert_entry, yaml_value
from .table import columns_of, describe_csv, infer_fields, place
from .words import paper_language, words

log = logging.getLogger(__name__)

KINDS = ("bar", "line", "map")


def _guess(path: Path, language: str) -> tuple[str, dict[str, str]]:
    """The label column (the first shown) and up to four number columns, by their header."""
    shown = columns_of(path)
    kinds = {f["name"]: f["type"] for f in infer_fields(path, language)}
    numbers = [c for c in shown[1:] if kinds.get(c) in {"integer", "number"}]
    if not shown or not numbers:
        raise AddError(path, "no column of numbers after the first", "a chart needs a label column and "
                       "one to four columns of numbers (e.g. year,ports,storms)")
    return shown[0], {c: c.replace("_", " ").capitalize() for c in numbers[:4]}


def chart_entry(kind: str, path: Path, label: str, values: dict[str, str], said: dict[str, str], title: str) -> str:
    """The entry of a bar or line chart: every key, commented."""
    first = ([f"kind: {kind}", "# The chart's CSV (a resource of the data package).",
              f"data: {yaml_value(path.as_posix())}"])
    if kind == "bar":
        first += ["# The column naming each bar (or group of bars).", f"category: {yaml_value(label)}",
                  "# Bars across (horizontal, the default) or upright (vertical).", "# orientation: horizontal"]
    else:
        first += ["# The column along the x axis (numbers such as years, or names).", f"x: {yaml_value(label)}"]
    axis = {"category": said["axis"], "value": said["axis"]} if kind == "bar" else {"x": said["axis"], "y": said["axis"]}
    return "\n".join(first + [
        "# Value column: its words in the legend (one to four; one column draws no legend).",
        f"values: {yaml_value(values)}",
        "# The axes' titles (optional).",
        f"axis: {yaml_value(axis)}",
        "# Printed after each value, e.g. \"%\" (optional).",
        "# unit: \"%\"",
        "# The decimal mark: the paper's language gives it (\".\" in English, \",\" in Spanish); set it to override.",
        "# decimal_mark: \".\"",
        "# The source line under the figure; {pages} lists the pages the *_page columns cite (optional).",
        f"source: {yaml_value(said['source'])}",
        "# The alt text's opening; the values are written after it, from the data.",
        f"alt: {yaml_value(said['alt_' + kind].format(title=title))}",
        "# The word that introduces the empty values (needed when a value is empty).",
        f"alt_words: {yaml_value({'missing': said['missing']})}",
        "# Height in inches (optional; the kind's default otherwise).",
        "# height: 3.5",
    ])


def map_entry(path: Path, said: dict[str, str], title: str) -> str:
    """The entry of a map: every key, commented (its countries file and geometry are the editor's to give)."""
    return "\n".join([
        "kind: map",
        "# Regions: slug, region, share_pct, flag (slug all_regions is the global value).",
        f"data: {yaml_value(path.as_posix())}",
        "# Each geometry feature's region: name, region (a CSV of the data package).",
        "countries: data/countries.csv",
        "# The countries' shapes: a shapefile with a name field.",
        "geometry: data/geometry/countries.shp",
        "# The legend's words.",
        "legend: {scale: Share, no_data: No data, substitute: Global value}",
        "# The source line; {pages} lists the pages the *_page columns cite.",
        f"source: {yaml_value(said['source'])}",
        "# The alt text's opening, and its words around the values.",
        f"alt: {yaml_value(said['alt_map'].format(title=title))}",
        "alt_words: {substitute: global value, missing: no data, world: World}",
        "# Where each region's value sits (optional): region: {label: [lon, lat], leader: [lon, lat]}.",
        "# anchors: {}",
        "# decimal_mark: \".\"",
    ])


def add_figure(root: Path, config: dict[str, Any], kind: str, csv_path: str, *, source: str | None = None,
               section: str | None = None) -> list[str]:
    """Describe the CSV (if it is not yet) and declare its figure under ``figures:``; return what to fill in."""
    if kind not in KINDS:
        import difflib

        near = difflib.get_close_matches(kind.lower(), KINDS, n=1)
        raise AddError("perrypress add figure", f"no figure kind {kind!r}",
                       f"did you mean {near[0]!r}?" if near else f"use one of {', '.join(KINDS)}")
    language = paper_language(root, config)
    said = words(language)
    name, path, todo = describe_csv(root, config, csv_path, source)
    relative = path.relative_to(root)
    title = name.replace("-", " ")
    if kind == "map":
        entry = map_entry(relative, said, title)
        todo.append(f"config/config.yaml: figures.{name}: countries and geometry (a map needs both files)")
    else:
        label, values = _guess(path, language)
        entry = chart_entry(kind, relative, label, values, said, title)
    insert_entry(root / "config" / "config.yaml", "figures", name, entry)
    todo.insert(0, f"config/config.yaml: figures.{name}: the axis titles, legend words, source line and alt text")
    image = (f"![{said['figure_caption']}](/figures/{name}){{#fig-{name} "
             f"fig-alt=\"{{{{< var figures.{name}.alt >}}}}\"}}")
    if section:
        place(root, section, said["figure_ref"].format(slug=name), image)
        todo.append(f"{section}: the figure's caption and the sentence that refers to @fig-{name}")
    else:
        todo.append(f"place it in a section: {image}")
    return todo

"""The ``map`` kind: a world map whose countries are shaded by their region's share (a choropleth by region).

Its data: a regions CSV (``slug, region, share_pct, flag``; the row whose slug is
``all_regions`` is the global value), a countries CSV (``name, region``) assigning
each feature of the geometry (a shapefile with a ``name`` field) to a region.
This module draws it; its alt text is written by map_text.py, which loads no matplotlib.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.axes  # noqa: E402
import numpy as np
import pandas
import shapefile as pyshp
from matplotlib import patheffects  # noqa: E402
from matplotlib.colorbar import ColorbarBase  # noqa: E402
from matplotlib.colors import Normalize, to_hex, to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402

from . import style
from .frames import read
from .map_text import GLOBAL_SLUG, REGION_COLUMNS, pct
from .style import (
    BORDER_COLOUR,
    MUTED_COLOUR,
    NO_DATA_COLOUR,
    SCALE,
    TEXT_COLOUR,
    WIDTH_IN,
)

log = logging.getLogger(__name__)

FLAGS = ("stated", "substitute-zero", "not-stated")
SHAPEFILE_ENCODING = "iso-8859-1"
SCALE_MIN_MAX = 10.0

# The legend's words come from the configuration (figures.<slug>.legend), not from here.
LEGEND_KEYS = ("scale", "no_data", "substitute")

# Where each region's value label sits, from the configuration (figures.<slug>.anchors):
# region name → {"label": (longitude, latitude), "leader": (longitude, latitude)}, the
# leader being the point a line reaches when the label sits outside its region.
Anchors = Mapping[str, Mapping[str, Sequence[float]]]
MAP_LAT_RANGE = (-57.0, 85.0)


def equal_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project degrees of longitude and latitude with the Equal Earth projection (unit sphere)."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    lam = np.radians(np.asarray(lon, dtype=float))
    theta = np.arcsin(math.sqrt(3.0) / 2.0 * np.sin(np.radians(np.asarray(lat, dtype=float))))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2.0 * math.sqrt(3.0) * lam * np.cos(theta) / (3.0 * (9.0 * a4 * t6 * t2 + 7.0 * a3 * t6 + 3.0 * a2 * t2 + a1))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


def scale_max(shares: Iterable[float]) -> float:
    """Return the top of the colour scale: 10 %, or the next multiple of 5 above the largest share."""
    finite = [float(s) for s in shares if s is not None and not math.isnan(float(s))]
    top = max(finite, default=0.0)
    return max(SCALE_MIN_MAX, 5.0 * math.ceil(top / 5.0))


def region_colour(share: float | None, flag: str, *, vmax: float = SCALE_MIN_MAX) -> str:
    """Return the fill colour (hex) of a region with this share and flag."""
    if flag not in FLAGS:
        raise ValueError(f"unknown region flag {flag!r}; expected one of {', '.join(FLAGS)}")
    if flag == "not-stated" or share is None or math.isnan(float(share)):
        return NO_DATA_COLOUR
    return to_hex(SCALE(Normalize(0.0, vmax, clip=True)(float(share))))


def region_hatch(flag: str) -> str | None:
    """Return the hatch pattern marking a region's flag (the author's substitute zero), or None."""
    return "//////" if flag == "substitute-zero" else None


def _check_inputs(regions: pandas.DataFrame, countries: pandas.DataFrame, outputs: Mapping[str, Path]) -> None:
    """Raise ValueError when the frames or the requested outputs are not what the figure needs."""
    missing = REGION_COLUMNS - set(regions.columns)
    if missing:
        raise ValueError(f"regions frame lacks column(s): {', '.join(sorted(missing))}")
    missing = {"name", "region"} - set(countries.columns)
    if missing:
        raise ValueError(f"countries frame lacks column(s): {', '.join(sorted(missing))}")
    style.check_formats(outputs)
    bad_flags = sorted(set(regions["flag"]) - set(FLAGS))
    if bad_flags:
        raise ValueError(f"unknown flag(s) in regions: {', '.join(map(str, bad_flags))}")
    known = set(regions["region"])
    used = {r for r in countries["region"] if isinstance(r, str) and r}
    unknown = sorted(used - known)
    if unknown:
        raise ValueError(f"countries name region(s) absent from regions: {', '.join(unknown)}")


def _read_shapes(shapefile_path: Path) -> list[tuple[str, MplPath]]:
    """Read the Natural Earth features as (name, projected path) pairs."""
    out = []
    with pyshp.Reader(str(shapefile_path), encoding=SHAPEFILE_ENCODING) as reader:
        for rec in reader.iterShapeRecords():
            shape = rec.shape
            pts = np.asarray(shape.points, dtype=float)
            bounds = list(shape.parts) + [len(pts)]
            verts, codes = [], []
            for start, stop in zip(bounds[:-1], bounds[1:]):
                ring = pts[start:stop]
                x, y = equal_earth(ring[:, 0], ring[:, 1])
                verts.append(np.column_stack([x, y]))
                codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY])
            out.append((rec.record["name"], MplPath(np.concatenate(verts), np.concatenate(codes))))
    return out


def _text_colour(fill: str) -> str:
    """Return white or near-black, whichever reads better on the fill colour."""
    r, g, b = to_rgb(fill)
    return "#ffffff" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else TEXT_COLOUR


def draw_regions(
    *,
    regions: pandas.DataFrame,
    countries: pandas.DataFrame,
    shapefile: Path,
    font_files: list[Path],
    outputs: dict[str, Path],
    source_line: str,
    legend: Mapping[str, str],
    anchors: Anchors | None = None,
    decimal_mark: str = ".",
) -> None:
    """Draw the map and save it to each requested format ("svg", "pdf", "png").

    ``legend`` gives the legend's words: "scale" (the colour bar's title), "no_data" and "substitute"
    (the keys for regions without a value and for a substitute 0 %). ``anchors`` place the regions'
    value labels (a region without one is shaded but not labelled). ``decimal_mark`` is the paper's.
    """
    missing = [k for k in LEGEND_KEYS if not legend.get(k)]
    if missing:
        raise ValueError(f"the figure's legend lacks {missing}")
    _check_inputs(regions, countries, outputs)
    family, text_weight, emphasis_weight = style.register_fonts(font_files)
    style.check_glyphs(_figure_texts(regions, source_line, legend), font_files)
    with matplotlib.rc_context(style.house_rc(family, text_weight)):
        fig = _build_figure(regions, countries, Path(shapefile), source_line, emphasis_weight, legend, anchors or {},
                            decimal_mark)
        style.save(fig, outputs)


def _figure_texts(regions: pandas.DataFrame, source_line: str, legend: Mapping[str, str]) -> list[str]:
    """Return every string the figure writes, so their glyphs can be checked before drawing."""
    texts = [source_line, *legend.values(), ": 0123456789.,\u00a0%"]
    return texts + [str(r) for r in regions["region"]]


def _build_figure(
    regions: pandas.DataFrame, countries: pandas.DataFrame, shp: Path, source_line: str, emphasis_weight: int,
    legend: Mapping[str, str], anchors: Anchors, decimal_mark: str = ".",
) -> Figure:
    """Lay out the map, its value labels, the legend and the source line."""
    by_region = {row.region: row for row in regions.itertuples(index=False)}
    drawn_regions = regions[regions["slug"] != GLOBAL_SLUG]
    vmax = scale_max(drawn_regions["share_pct"])
    country_region = {
        row.name: (row.region if isinstance(row.region, str) and row.region else None)
        for row in countries.itertuples(index=False)
    }

    x0, _ = equal_earth(np.array([-180.0]), np.array([0.0]))
    x1, _ = equal_earth(np.array([180.0]), np.array([0.0]))
    _, ylims = equal_earth(np.array([0.0, 0.0]), np.array(MAP_LAT_RANGE))
    xspan, yspan = float(x1[0] - x0[0]), float(ylims[1] - ylims[0])

    map_h = WIDTH_IN * yspan / xspan
    legend_h, source_h, top_pad = 0.76, 0.24, 0.06
    height = top_pad + map_h + legend_h + source_h
    fig = Figure(figsize=(WIDTH_IN, height))

    def box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / WIDTH_IN, y / height, w / WIDTH_IN, h / height)

    ax = fig.add_axes(box(0.0, legend_h + source_h, WIDTH_IN, map_h))
    ax.set_xlim(float(x0[0]), float(x1[0]))
    ax.set_ylim(float(ylims[0]), float(ylims[1]))
    ax.set_aspect("equal")
    ax.set_axis_off()

    unmatched = []
    for name, path in _read_shapes(shp):
        if name not in country_region:
            unmatched.append(name)
            continue
        region = country_region[name]
        if region is None:
            continue
        row = by_region[region]
        share = None if pandas.isna(row.share_pct) else float(row.share_pct)
        ax.add_patch(
            PathPatch(
                path,
                facecolor=region_colour(share, row.flag, vmax=vmax),
                edgecolor=BORDER_COLOUR,
                linewidth=0.3,
                hatch=region_hatch(row.flag),
            )
        )
    if unmatched:
        raise ValueError(f"shapefile features missing from countries: {', '.join(sorted(unmatched))}")

    for row in drawn_regions.itertuples(index=False):
        if pandas.isna(row.share_pct) or row.region not in anchors:
            continue
        _label_region(ax, row.region, anchors[row.region], float(row.share_pct), region_colour(float(row.share_pct), row.flag, vmax=vmax),
                      emphasis_weight, decimal_mark)

    _draw_legend(fig, box, regions, vmax, legend, decimal_mark)
    fig.text(0.12 / WIDTH_IN, (source_h * 0.5) / height, source_line, ha="left", va="center", fontsize=6.3,
             color=MUTED_COLOUR, wrap=True)
    return fig


def _label_region(ax: matplotlib.axes.Axes, region: str, anchor: Mapping[str, Sequence[float]], share: float,
                  fill: str, emphasis_weight: int, decimal_mark: str = ".") -> None:
    """Write a region's name and value at its anchor, with a leader line when the label sits outside it."""
    (lon, lat), target = anchor["label"], anchor.get("leader")
    lx, ly = (float(v[0]) for v in equal_earth(np.array([lon]), np.array([lat])))
    if target is None:
        colour, halo_colour = _text_colour(fill), fill
    else:
        colour, halo_colour = TEXT_COLOUR, "white"
        tx, ty = (float(v[0]) for v in equal_earth(np.array([target[0]]), np.array([target[1]])))
        ax.annotate(
            "", xy=(tx, ty), xytext=(lx, ly),
            arrowprops={"arrowstyle": "-", "color": TEXT_COLOUR, "linewidth": 0.5, "shrinkA": 11, "shrinkB": 0},
        )
    halo = [patheffects.withStroke(linewidth=2.0, foreground=halo_colour)]
    common = {"xy": (lx, ly), "textcoords": "offset points", "ha": "center", "color": colour, "path_effects": halo}
    ax.annotate(region, xytext=(0, 0.8), va="bottom", fontsize=6.6, **common)
    ax.annotate(pct(share, decimal_mark), xytext=(0, 0.0), va="top", fontsize=8.5, fontweight=emphasis_weight, **common)


def _draw_legend(fig: Figure, box: Callable[..., tuple[float, float, float, float]], regions: pandas.DataFrame,
                 vmax: float, legend: Mapping[str, str], decimal_mark: str = ".") -> None:
    """Draw the colour scale (with the global share marked) and the two special-case keys."""
    left, bar_w = 0.25, 2.75
    fig.text(*box(left, 0.97, 0, 0)[:2], legend["scale"], ha="left", va="top", fontsize=6.8)
    cax = fig.add_axes(box(left, 0.48, bar_w, 0.11))
    ColorbarBase(cax, cmap=SCALE, norm=Normalize(0.0, vmax), orientation="horizontal")
    step = 2.0 if vmax <= 10 else 5.0
    ticks = np.arange(0.0, vmax + step / 2, step)
    cax.set_xticks(ticks)
    cax.set_xticklabels([pct(v, decimal_mark) for v in ticks], fontsize=6.5)
    cax.tick_params(length=2.0, width=0.5, pad=1.5, colors=TEXT_COLOUR)
    cax.minorticks_off()
    for spine in cax.spines.values():
        spine.set_linewidth(0.5)

    world = regions[regions["slug"] == GLOBAL_SLUG]
    if len(world) and not pandas.isna(world.iloc[0]["share_pct"]):
        g = float(world.iloc[0]["share_pct"])
        above = cax.get_xaxis_transform() + ScaledTranslation(0.0, 2.4 / 72.0, fig.dpi_scale_trans)
        cax.plot([g], [1.0], marker="v", markersize=4.0, color=TEXT_COLOUR, clip_on=False, transform=above,
                 markeredgewidth=0)
        cax.annotate(f"{world.iloc[0]['region']}: {pct(g, decimal_mark)}", xy=(g, 1.0), xycoords=above, xytext=(0, 3.0),
                     textcoords="offset points", ha="center", va="bottom", fontsize=6.5)

    kx = 3.45
    keys = [(NO_DATA_COLOUR, None, legend["no_data"])]
    if (regions["flag"] == "substitute-zero").any():
        keys.append((region_colour(0.0, "substitute-zero", vmax=vmax), region_hatch("substitute-zero"),
                     legend["substitute"]))
    for i, (colour, hatch, label) in enumerate(keys):
        y = 0.80 - i * 0.265
        x, y0, w, h = box(kx, y - 0.07, 0.24, 0.14)
        fig.patches.append(Rectangle((x, y0), w, h, transform=fig.transFigure, figure=fig, facecolor=colour,
                                     edgecolor="#9a9a9a", linewidth=0.4, hatch=hatch))
        fig.text(*box(kx + 0.32, y, 0, 0)[:2], label, ha="left", va="center", fontsize=6.6)


def draw(slug: str, spec: Mapping[str, Any], *, root: Path, font_files: list[Path], outputs: dict[str, Path],
         conjunction: str = "and") -> None:
    """Draw the map a configuration entry (figures.<slug>, kind: map) declares."""
    from ...sources.data_tables import source_line

    regions = read(root, spec, "data", REGION_COLUMNS)
    countries = read(root, spec, "countries", {"name", "region"})
    draw_regions(regions=regions, countries=countries, shapefile=root / spec["geometry"], font_files=font_files,
                 outputs=outputs, source_line=source_line(spec["source"], root / spec["data"], conjunction=conjunction),
                 legend=spec["legend"], anchors=spec.get("anchors"), decimal_mark=spec.get("decimal_mark", "."))


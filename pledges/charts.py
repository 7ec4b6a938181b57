"""Charts of a year's results as SVG text, drawn on the server with matplotlib.

The same pictures go into the pages (as `image/svg+xml`) and into the PDF reports, so
these are pure functions of what the ranking computed (`pledges.ranking.Results`, its
criteria and `MemberResult`s, as they are): no request, no database, no global pyplot state
(`matplotlib.figure.Figure` with the SVG canvas only). Text stays text in the SVG
(`svg.fonttype: none`) so the page's or the PDF's fonts draw the Vietnamese letters;
matplotlib only measures it with the first installed family of `FONT_FAMILIES`.

Drawing costs 0.4-0.7 s of CPU a chart, and a results page shows several, while the
inputs change only when a score does: each chart is cached (Django's cache, CACHE_URL) under
a digest of exactly what it draws, so a visit after the first redraws nothing and a changed
score draws anew (its digest is another key).
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import matplotlib as mpl
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FONT_FAMILIES = ("Liberation Serif", "Times New Roman", "DejaVu Serif", "DejaVu Sans")
COLORS = ("#a4161a", "#1d4e89", "#e09f3e", "#2a7f62", "#6c4f8c", "#7f7f7f", "#c2571a", "#3d8eb9")
WIDTH_IN = 8.0
# Part of every cache key: bump it when the drawing code changes what a chart looks like.
DRAWING_VERSION = "2"
CACHE_SECONDS = 60 * 60 * 24 * 30

# The legend of the rank chart: a final rank and one on scores not yet verified.
RANK_FINAL = _("final")
RANK_PROVISIONAL = _("provisional (scores not yet verified)")

if TYPE_CHECKING:
    from .ranking import RankPoint, Results


@functools.cache
def _families() -> list[str]:
    """The families of FONT_FAMILIES installed here (matplotlib warns for each missing one).

    matplotlib lists the fonts from a cache it writes the first time it runs on a machine,
    and never looks again: a font installed since (the documents' Liberation Serif, when a
    first run came before `make test-deps`) is not in the list, and the charts would be
    measured with a wider font than the PDF draws them in (a legend past the margin). So
    when the first family is not listed, the system's fonts that are not listed yet are
    added to this process's list first (the cache on disk is left as it is).
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if FONT_FAMILIES[0] not in {font.name for font in manager.ttflist}:
        known = {font.fname for font in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a file matplotlib cannot read
                    continue
    installed = {font.name for font in manager.ttflist}
    found = [name for name in FONT_FAMILIES if name in installed]
    return found or ["DejaVu Sans"]


def _style() -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "emulation-portal",  # stable ids: the same data gives the same SVG
        "font.family": _families(),
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue()


def _name(organization: object) -> str:
    """Short name when there is one: the chart's labels are narrow."""
    if isinstance(organization, str):
        return organization
    short = getattr(organization, "short_name", "") or getattr(organization, "name", "")
    return short or str(organization)


def _number(value: Decimal | float | None) -> float:
    return float(value or Decimal(0))


def _cached(kind: str, inputs: object, draw: Callable[[], str]) -> str:
    """The SVG for these inputs from the cache, or drawn now and kept. The font that measures
    the text is an input too: a chart laid out with another font is another picture."""
    payload = json.dumps(
        [kind, DRAWING_VERSION, mpl.__version__, _families()[0], inputs], default=str
    )
    key = f"chart:{kind}:{hashlib.sha256(payload.encode()).hexdigest()}"
    svg = cache.get(key)
    if svg is None:
        svg = draw()
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def _empty(message: str) -> str:
    with mpl.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, 1.2))
        figure.text(0.5, 0.5, message, ha="center", va="center", color="#555555")
        return _svg(figure)


def chart_group_points(results: Results, *, empty_text: str = "—") -> str:
    """Stacked horizontal bars: each member's points per criteria group, best rank on top.

    `results` is what `pledges.ranking.compute_results` made (the members to draw, in rank
    order): `groups` (criteria: `pk`, `code`, `text`) and `members` (`MemberResult`s:
    `organization`, `group_points` keyed by group pk, `total`).
    """
    groups = list(results.groups)
    members = list(results.members)
    if not groups or not members:
        return _cached("empty", str(empty_text), lambda: _empty(empty_text))
    group_ids = [g.pk for g in groups]
    inputs = [
        [[g.code or "", g.text or ""] for g in groups],
        [
            [_name(m.organization), [str(m.group_points.get(i)) for i in group_ids], str(m.total)]
            for m in members
        ],
    ]
    return _cached("groups", inputs, lambda: _draw_group_points(groups, members))


def _draw_group_points(groups: list, members: list) -> str:
    group_ids = [g.pk for g in groups]
    labels = [_name(m.organization) for m in members]
    height = max(2.2, 0.42 * len(members) + 1.4)
    with mpl.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(members)))
        left = [0.0] * len(members)
        for index, (group, group_id) in enumerate(zip(groups, group_ids, strict=True)):
            values = [_number(m.group_points.get(group_id)) for m in members]
            code = group.code or ""
            text = group.text or ""
            label = f"{code}. {text}" if code else text
            axes.barh(
                positions,
                values,
                left=left,
                color=COLORS[index % len(COLORS)],
                label=label[:48],
                height=0.62,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        for position, member in zip(positions, members, strict=True):
            total = _number(member.total)
            axes.text(left[position] + 0.5, position, f"{total:.2f}".replace(".", ","), va="center")
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, max(left + [1.0]) * 1.12)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.08),
            ncols=min(len(groups), 3),
            frameon=False,
            fontsize=9,
        )
        return _svg(figure)


def rank_points(
    history: Mapping[int, int | None] | Iterable[RankPoint],
) -> list[RankPoint]:
    """Every year from the first ranked to the last, as `RankPoint`s: a plain {year: rank}
    (final, untied ranks) or the points of `pledges.ranking.rank_series` as they are. Years
    without a rank stay in, with rank None, so that no line is drawn across them."""
    from .ranking import RankPoint

    if isinstance(history, Mapping):
        given = [RankPoint(int(year), int(rank)) for year, rank in history.items() if rank]
    else:
        given = [point for point in history if point.rank]
    if not given:
        return []
    by_year = {point.year: point for point in given}
    years = range(min(by_year), max(by_year) + 1)
    return [by_year.get(year, RankPoint(year, None)) for year in years]


def rank_label(point: RankPoint) -> str:
    """The rank as printed over its marker: "=2" for a rank shared with another member."""
    return f"={point.rank}" if point.tied else str(point.rank)


def chart_rank_history(
    history: Mapping[int, int | None] | Iterable[RankPoint],
    organization: object,
    *,
    empty_text: str = "—",
) -> str:
    """Rank over the years for one organization: 1 at the top, one tick per year and rank.
    Provisional years (scores not yet verified) get a hollow marker and a dashed line, a
    shared rank reads "=2", and a year without a rank breaks the line."""
    points = rank_points(history)
    if not points:
        return _cached("empty", str(empty_text), lambda: _empty(empty_text))
    title = organization if isinstance(organization, str) else getattr(organization, "name", "")
    title = str(title or organization)
    legend = (str(RANK_FINAL), str(RANK_PROVISIONAL))
    inputs = [[[p.year, p.rank, p.tied, p.provisional] for p in points], title, legend]
    return _cached("ranks", inputs, lambda: _draw_rank_history(points, title, legend))


def _draw_rank_history(points: list[RankPoint], title: str, legend: tuple[str, str]) -> str:
    from matplotlib.lines import Line2D

    ranked = [p for p in points if p.rank]
    years = [p.year for p in points]
    ranks = [p.rank or 0 for p in ranked]
    color = COLORS[0]
    with mpl.rc_context(_style()):
        figure = Figure(figsize=(WIDTH_IN * 0.75, 3.2), layout="constrained")
        axes = figure.add_subplot()
        # Segments only between consecutive years that both have a rank; dashed when either
        # end is provisional.
        for before, after in itertools.pairwise(points):
            if before.rank and after.rank:
                dashed = before.provisional or after.provisional
                style, kind = ("--", "dashed") if dashed else ("-", "solid")
                axes.plot(
                    [before.year, after.year],
                    [before.rank, after.rank],
                    color=color,
                    linewidth=2,
                    linestyle=style,
                    # named in the SVG (<g id=...>): which years a segment joins, and how
                    gid=f"segment-{before.year}-{after.year}-{kind}",
                )
        for point in ranked:
            axes.plot(
                [point.year],
                [point.rank or 0],
                marker="o",
                markersize=8,
                markeredgewidth=2,
                color=color,
                markerfacecolor="white" if point.provisional else color,
                linestyle="none",
                gid=f"rank-{point.year}-{'provisional' if point.provisional else 'final'}",
            )
            axes.annotate(
                rank_label(point),
                (point.year, point.rank),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
            )
        handles = [
            Line2D([], [], color=color, marker="o", markersize=8, linewidth=2, label=legend[0]),
            Line2D(
                [],
                [],
                color=color,
                marker="o",
                markersize=8,
                markeredgewidth=2,
                markerfacecolor="white",
                linewidth=2,
                linestyle="--",
                label=legend[1],
            ),
        ]
        shown = [
            handle
            for handle, wanted in zip(
                handles,
                (any(not p.provisional for p in ranked), any(p.provisional for p in ranked)),
                strict=True,
            )
            if wanted
        ]
        axes.legend(
            handles=shown,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=len(shown),
            frameon=False,
            fontsize=9,
        )
        axes.set_title(title)
        axes.set_xticks(_ticks(years))
        axes.set_xlim(min(years) - 0.5, max(years) + 0.5)
        axes.set_ylim(max(ranks) + 0.7, 0.3)  # inverted: first place on top
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        return _svg(figure)


def preload() -> None:
    """Load what a first chart would: the font list (`_families`), the fonts it measures text
    with and the SVG backend, by drawing a small chart that is thrown away (nothing cached).
    A long-lived process (the report worker) calls it at start."""
    with mpl.rc_context(_style()):
        figure = Figure(figsize=(2, 1), layout="constrained")
        axes = figure.add_subplot()
        axes.barh([0], [1.0], label="Nhóm")
        axes.set_yticks([0], ["Đơn vị"])
        axes.legend(frameon=False)
        _svg(figure)


def _ticks(years: Iterable[int]) -> list[int]:
    years = list(years)
    return list(range(min(years), max(years) + 1))

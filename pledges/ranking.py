"""Results of an emulation year: final points per criterion, totals, ranks, classification.

Everything here is computed from the score sheets and adjustment lines, never typed in.
The arithmetic is pure (plain values in, dataclasses out, `Decimal` throughout, 2 decimals);
`compute_results` and `results_over_years` only load the rows, in a fixed number of queries
whatever the number of members, criteria or scorers.

Decisions (documented here because the rules leave them open):

* self_verified: the verification score counts as soon as the secretariat has entered it
  (whether or not the verification sheet is submitted); otherwise the member's self-score
  counts, but only once its self sheet is submitted.
* cross_average / cross_trimmed: only submitted cross sheets count. The trimmed mean drops
  one highest and one lowest value only when there are 3 or more scorers; with 1 or 2 it
  is the plain mean (dropping both would leave nothing, or one arbitrary scorer). Points and
  criterion bonuses are aggregated separately, each the same way.
* Means are rounded half-up to 2 decimals per criterion; groups and totals add up those
  rounded values, so the published table adds up.
* A member without any final score yet is still listed, after every scored member, all
  such members sharing one rank; its base points are 0 (adjustment lines still count) and
  it gets no classification.
* `tied` is True only for members that share a rank (equal after every tie-break); every
  member whose total equals another's gets a `tie_note` saying what decided or that the
  tie remains.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, Membership, Organization
from portal.lib.text import sort_key

from .models import Adjustment, Criterion, Pledge, Score, ScoreSheet

ZERO = Decimal("0")
CENT = Decimal("0.01")

TIE_DECIDED = _("Same total as %(others)s; the order was decided by: %(rules)s.")
TIE_REMAINS = _("Still tied with %(others)s after every tie-break.")
TIE_NO_TIE_BREAK = _("Tied with %(others)s (no tie-break is set).")
NOT_SCORED = _("Not scored yet.")

__all__ = [
    "MemberResult",
    "Results",
    "classify",
    "compute_results",
    "final_points",
    "member_totals",
    "q2",
    "rank",
    "RankPoint",
    "rank_series",
    "results_over_years",
]


def q2(value: Decimal | int | float | str) -> Decimal:
    """`value` as a Decimal rounded half-up to 2 decimals (never through float)."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _mean(values: Sequence[Decimal]) -> Decimal:
    return q2(sum(values, ZERO) / len(values))


def final_points(
    method: str,
    *,
    self_value: Decimal | None = None,
    verified_value: Decimal | None = None,
    cross_values: Sequence[Decimal] = (),
) -> Decimal | None:
    """The value that counts for one criterion of one member, or None if there is none yet.

    The caller passes only what counts: the self value of a submitted self sheet, the
    verification value, the values of submitted cross sheets.
    """
    if method == Pledge.ScoringMethod.SELF_VERIFIED:
        if verified_value is not None:
            return q2(verified_value)
        return None if self_value is None else q2(self_value)
    values = sorted(cross_values)
    if not values:
        return None
    if method == Pledge.ScoringMethod.CROSS_TRIMMED and len(values) >= 3:
        values = values[1:-1]
    return _mean(values)


@dataclass
class MemberResult:
    organization: Organization
    group_points: dict[int, Decimal] = field(default_factory=dict)
    base_points: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    total: Decimal = ZERO
    rank: int = 0
    tied: bool = False
    tie_note: str = ""
    classification: str = ""
    leaf_points: dict[int, Decimal] = field(default_factory=dict)
    # The parts before the caps, for display and for the adjustment checks.
    leaf_bonus: dict[int, Decimal] = field(default_factory=dict)
    criterion_bonus: Decimal = ZERO
    bonus_lines: Decimal = ZERO
    penalty_lines: Decimal = ZERO
    scored: bool = False

    @property
    def first_group_points(self) -> Decimal:
        return next(iter(self.group_points.values()), ZERO)


@dataclass
class Results:
    pledge: Pledge
    members: list[MemberResult]
    groups: list[Criterion]
    leaves: list[Criterion]
    leaves_by_group: dict[int, list[Criterion]]

    def for_organization(self, organization: Organization | int) -> MemberResult | None:
        org_id = getattr(organization, "pk", organization)
        return next((m for m in self.members if m.organization.pk == org_id), None)


def member_totals(
    organization: Organization,
    *,
    group_ids: Sequence[int],
    leaf_group: dict[int, int],
    leaf_points: dict[int, Decimal],
    leaf_bonus: dict[int, Decimal] | None = None,
    bonus_lines: Decimal = ZERO,
    penalty_lines: Decimal = ZERO,
    bonus_cap: Decimal | None = None,
    penalty_cap: Decimal | None = None,
) -> MemberResult:
    """Group points, base, capped bonus and penalty and the total (floored at 0) of a member.

    `leaf_group` maps each leaf criterion id to its top-level group id.
    """
    leaf_bonus = leaf_bonus or {}
    groups = dict.fromkeys(group_ids, ZERO)
    for leaf_id, points in leaf_points.items():
        groups[leaf_group[leaf_id]] += points
    base = sum(groups.values(), ZERO)
    criterion_bonus = sum(leaf_bonus.values(), ZERO)
    bonus = criterion_bonus + bonus_lines
    if bonus_cap is not None:
        bonus = min(bonus, bonus_cap)
    penalty = penalty_lines
    if penalty_cap is not None:
        penalty = min(penalty, penalty_cap)
    return MemberResult(
        organization=organization,
        group_points={gid: q2(v) for gid, v in groups.items()},
        base_points=q2(base),
        bonus=q2(bonus),
        penalty=q2(penalty),
        total=q2(max(ZERO, base + bonus - penalty)),
        leaf_points=dict(leaf_points),
        leaf_bonus=dict(leaf_bonus),
        criterion_bonus=q2(criterion_bonus),
        bonus_lines=q2(bonus_lines),
        penalty_lines=q2(penalty_lines),
        scored=bool(leaf_points),
    )


def classify(total: Decimal, bands: Iterable[dict[str, Any]]) -> str:
    """The name of the first band (highest first) whose min the total reaches, else ""."""
    for band in bands or ():
        try:
            minimum = Decimal(str(band.get("min")))
        except (ArithmeticError, ValueError, TypeError):
            continue
        if minimum.is_finite() and total >= minimum:
            return str(band.get("name", ""))
    return ""


# Keyed by the stored value (a TieBreak is a str): tie_break_order holds plain strings.
_TIE_BREAK_KEYS: dict[str, Callable[[MemberResult], Decimal]] = {
    Pledge.TieBreak.BASE_POINTS: lambda m: -m.base_points,
    Pledge.TieBreak.BONUS: lambda m: -m.bonus,
    Pledge.TieBreak.PENALTY: lambda m: m.penalty,
    Pledge.TieBreak.FIRST_GROUP: lambda m: -m.first_group_points,
}


def _names(members: Iterable[MemberResult]) -> str:
    return ", ".join(
        getattr(m.organization, "short_name", "") or str(m.organization) for m in members
    )


def rank(
    rows: Iterable[MemberResult],
    *,
    bands: Iterable[dict[str, Any]] = (),
    tie_break_order: Sequence[str] = (),
) -> list[MemberResult]:
    """Order members and set rank, tied, tie_note and classification (pure, in place).

    Scored members first, by total (highest first), then by each tie-break of
    `tie_break_order` in turn; members equal on all of them share a rank (1, 2, 2, 4).
    Members without any score come last, sharing the next rank.
    """
    rows = list(rows)
    breaks = [tb for tb in tie_break_order if tb in _TIE_BREAK_KEYS]
    labels = dict(Pledge.TieBreak.choices)

    def key(m: MemberResult) -> tuple[Any, ...]:
        if not m.scored:
            return (True,)
        return (False, -m.total, *(_TIE_BREAK_KEYS[tb](m) for tb in breaks))

    # Each member's tie-break values, computed once (a tie of many members compares pairs).
    values = {id(m): tuple(_TIE_BREAK_KEYS[tb](m) for tb in breaks) for m in rows}

    def decisive(a: MemberResult, b: MemberResult) -> str | None:
        for tb, x, y in zip(breaks, values[id(a)], values[id(b)], strict=True):
            if x != y:
                return tb
        return None

    ordered = sorted(rows, key=lambda m: (key(m), sort_key(str(m.organization))))
    position, previous = 0, None
    for index, member in enumerate(ordered, start=1):
        k = key(member)
        if k != previous:
            position, previous = index, k
        member.rank = position
        member.classification = classify(member.total, bands) if member.scored else ""
        member.tied = False
        member.tie_note = ""

    by_total: dict[Decimal, list[MemberResult]] = defaultdict(list)
    for member in ordered:
        if member.scored:
            by_total[member.total].append(member)
    unscored = len(ordered) - sum(len(group) for group in by_total.values())
    for member in ordered:
        if not member.scored:
            member.tied = unscored > 1
            member.tie_note = str(NOT_SCORED)
            continue
        same_total = [m for m in by_total[member.total] if m is not member]
        if not same_total:
            continue
        still_tied = [m for m in same_total if decisive(member, m) is None]
        decided_by: list[str] = []
        for other in same_total:
            tb = decisive(member, other)
            if tb is not None and tb not in decided_by:
                decided_by.append(tb)
        decided_by.sort(key=breaks.index)
        notes: list[str] = []
        if decided_by:
            notes.append(
                TIE_DECIDED
                % {
                    "others": _names(m for m in same_total if m not in still_tied),
                    "rules": "; ".join(str(labels[tb]).lower() for tb in decided_by),
                }
            )
        if still_tied:
            member.tied = True
            if breaks:
                notes.append(TIE_REMAINS % {"others": _names(still_tied)})
            else:
                notes.append(TIE_NO_TIE_BREAK % {"others": _names(still_tied)})
        member.tie_note = " ".join(notes)
    return ordered


# Loading ------------------------------------------------------------------------------


def _tree(
    criteria: Iterable[Criterion],
) -> tuple[list[Criterion], list[Criterion], dict[int, int], dict[int, list[Criterion]]]:
    """(groups, leaves, leaf -> group id, group id -> leaves) from the flat list."""
    criteria = sorted(criteria, key=lambda c: (c.order, c.code))
    by_id = {c.pk: c for c in criteria}
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    groups = [c for c in criteria if c.parent_id is None]
    leaves: list[Criterion] = []
    leaf_group: dict[int, int] = {}
    leaves_by_group: dict[int, list[Criterion]] = {g.pk: [] for g in groups}

    def top(c: Criterion) -> int:
        while c.parent_id is not None:
            c = by_id[c.parent_id]
        return c.pk

    # Depth-first in order, so leaves come out in reading order.
    children: defaultdict[int | None, list[Criterion]] = defaultdict(list)
    for c in criteria:
        children[c.parent_id].append(c)

    def walk(node: Criterion) -> None:
        if node.pk not in parents:
            leaves.append(node)
            leaf_group[node.pk] = top(node)
            leaves_by_group[leaf_group[node.pk]].append(node)
        for child in children[node.pk]:
            walk(child)

    for g in groups:
        walk(g)
    return groups, leaves, leaf_group, leaves_by_group


def _final_by_member(
    method: str, score_rows: Iterable[dict[str, Any]], leaf_ids: set[int]
) -> tuple[dict[int, dict[int, Decimal]], dict[int, dict[int, Decimal]]]:
    """{org id: ({leaf id: points}, {leaf id: bonus})} from score value rows."""
    own: defaultdict[tuple[int, int], dict[str, tuple[Decimal, Decimal]]] = defaultdict(
        dict
    )  # (org, leaf) -> {"self": (p, b), "verified": (p, b)}
    cross: defaultdict[tuple[int, int], list[tuple[Decimal, Decimal]]] = defaultdict(
        list
    )  # (org, leaf) -> [(p, b), ...]
    for row in score_rows:
        leaf = row["criterion_id"]
        if leaf not in leaf_ids:
            continue
        pair = (row["points"], row["bonus"])
        slot = (row["sheet__organization_id"], leaf)
        submitted = row["sheet__status"] == ScoreSheet.Status.SUBMITTED
        match row["sheet__round"]:
            case ScoreSheet.Round.SELF if submitted:
                own[slot]["self"] = pair
            case ScoreSheet.Round.VERIFIED:
                own[slot]["verified"] = pair
            case ScoreSheet.Round.CROSS if submitted:
                cross[slot].append(pair)
    points: defaultdict[int, dict[int, Decimal]] = defaultdict(dict)
    bonus: defaultdict[int, dict[int, Decimal]] = defaultdict(dict)
    for slot in set(own) | set(cross):
        org_id, leaf = slot
        for i, target in enumerate((points, bonus)):
            value = final_points(
                method,
                self_value=own[slot]["self"][i] if "self" in own[slot] else None,
                verified_value=own[slot]["verified"][i] if "verified" in own[slot] else None,
                cross_values=[pair[i] for pair in cross[slot]],
            )
            if value is not None:
                target[org_id][leaf] = value
    return points, bonus


def _results(
    pledge: Pledge,
    members: Iterable[Organization],
    criteria: Iterable[Criterion],
    score_rows: Iterable[dict[str, Any]],
    adjustment_rows: Iterable[dict[str, Any]],
) -> Results:
    groups, leaves, leaf_group, leaves_by_group = _tree(criteria)
    points, bonus = _final_by_member(pledge.scoring_method, score_rows, set(leaf_group))
    lines: defaultdict[int, dict[str, Decimal]] = defaultdict(
        lambda: {Adjustment.Kind.BONUS: ZERO, Adjustment.Kind.PENALTY: ZERO}
    )
    for row in adjustment_rows:
        lines[row["organization_id"]][row["kind"]] += row["total"] or ZERO
    rows = [
        member_totals(
            org,
            group_ids=[g.pk for g in groups],
            leaf_group=leaf_group,
            leaf_points=points.get(org.pk, {}),
            leaf_bonus=bonus.get(org.pk, {}),
            bonus_lines=lines[org.pk][Adjustment.Kind.BONUS],
            penalty_lines=lines[org.pk][Adjustment.Kind.PENALTY],
            bonus_cap=pledge.bonus_cap,
            penalty_cap=pledge.penalty_cap,
        )
        for org in members
    ]
    ranked = rank(rows, bands=pledge.classification_bands, tie_break_order=pledge.tie_break_order)
    return Results(
        pledge=pledge,
        members=ranked,
        groups=groups,
        leaves=leaves,
        leaves_by_group=leaves_by_group,
    )


SCORE_FIELDS = (
    "sheet__pledge_id",
    "sheet__organization_id",
    "sheet__round",
    "sheet__status",
    "criterion_id",
    "points",
    "bonus",
)


def _adjustment_rows(pledges: Iterable[Pledge]) -> QuerySet[Adjustment, dict[str, Any]]:
    return (
        Adjustment.objects.filter(pledge__in=pledges)
        .values("pledge_id", "organization_id", "kind")
        .annotate(total=Sum("points"))
        .order_by()
    )


def _members_by_year(bloc_id: int, years: Iterable[int]) -> dict[int, list[Organization]]:
    """Members of the bloc in each year, in rotation order, from one query."""
    memberships = list(
        Membership.objects.filter(bloc_id=bloc_id)
        .in_rotation_order()
        .select_related("organization")
    )
    return {
        year: [
            m.organization
            for m in memberships
            if m.first_year <= year and (m.last_year is None or m.last_year >= year)
        ]
        for year in years
    }


def compute_results(pledge: Pledge) -> Results:
    """The results table of one pledge in 4 queries: members, criteria, scores, adjustments."""
    members = _members_by_year(pledge.bloc_id, [pledge.year])[pledge.year]
    criteria = list(Criterion.objects.filter(pledge=pledge))
    # Unordered: the default ordering (sheet, then criterion) joins the bloc, the pledge,
    # the organization and the criterion only to sort rows that are read into a dict.
    scores = list(Score.objects.filter(sheet__pledge=pledge).order_by().values(*SCORE_FIELDS))
    adjustments = list(_adjustment_rows([pledge]))
    return _results(pledge, members, criteria, scores, adjustments)


def results_over_years(
    bloc: Bloc, organization: Organization | int | None = None
) -> dict[int, dict[int, int]]:
    """{year: {organization id: rank}} for the bloc's pledges in scoring or closed, oldest
    first, in 5 queries whatever the number of years. Members without scores are left out;
    with `organization`, only that member's ranks (years it was not ranked are left out).

    The ranks of a closed year are computed once per close: they are kept in Django's cache
    (CACHE_URL) under a digest of what they depend on (`_closed_year_key`), and a year whose
    ranks are kept loads none of its rows (with every year closed and kept: 1 query)."""
    pledges = list(
        Pledge.objects.filter(bloc=bloc, status__in=[Pledge.Status.SCORING, Pledge.Status.CLOSED])
        .annotate(
            _version=Subquery(
                Pledge.history.filter(id=OuterRef("pk"))
                .order_by("-history_id")
                .values("history_id")[:1]
            ),
            _members_version=Subquery(
                Membership.history.filter(bloc_id=OuterRef("bloc_id"))
                .order_by("-history_id")
                .values("history_id")[:1]
            ),
        )
        .order_by("year")
    )
    if not pledges:
        return {}
    keys = {p.pk: _closed_year_key(p) for p in pledges if p.is_closed}
    kept = cache.get_many(list(keys.values())) if keys else {}
    ranked: dict[int, dict[int, int]] = {
        p.pk: kept[keys[p.pk]] for p in pledges if keys.get(p.pk) in kept
    }
    fresh = [p for p in pledges if p.pk not in ranked]
    if fresh:
        ranked.update(_ranks_of(bloc, fresh))
        cache.set_many({keys[p.pk]: ranked[p.pk] for p in fresh if p.pk in keys}, CLOSED_SECONDS)
    org_id = getattr(organization, "pk", organization)
    history: dict[int, dict[int, int]] = {}
    for p in pledges:
        ranks = {org: rank for org, rank in ranked[p.pk].items() if org_id is None or org == org_id}
        if ranks:
            history[p.year] = ranks
    return history


# Kept a year: a closed year changes only when it is reopened (a new key anyway).
CLOSED_SECONDS = 60 * 60 * 24 * 365


def _closed_year_key(pledge: Pledge) -> str:
    """The cache key of a closed year's ranks: a digest of the pledge as stored (its last
    history row: closing and reopening each write one, and its rules) and of the bloc's
    memberships (their last history row). Scores, criteria and bonus lines of a closed year
    cannot change (`pledges.services.check_writable`) until it is reopened."""
    inputs = [
        pledge.pk,
        pledge.status,
        pledge._version,  # type: ignore[attr-defined]  # annotated by results_over_years
        pledge._members_version,  # type: ignore[attr-defined]
        pledge.scoring_method,
        str(pledge.bonus_cap),
        str(pledge.penalty_cap),
        pledge.classification_bands,
        pledge.tie_break_order,
        RANKING_VERSION,
    ]
    digest = hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()[:32]
    return f"pledges:closed-ranks:{digest}"


# Part of the key: bump it when the ranking rules in this module change.
RANKING_VERSION = "1"


def _ranks_of(bloc: Bloc, pledges: list[Pledge]) -> dict[int, dict[int, int]]:
    """{pledge id: {organization id: rank}} of the scored members, in 4 queries."""
    return {
        p.pk: {m.organization.pk: m.rank for m in results.members if m.scored}
        for p, results, _rows in _results_of(bloc, pledges)
    }


def _yearly_results(bloc: Bloc) -> Iterator[tuple[Pledge, Results, list[dict[str, Any]]]]:
    """(pledge, results, its score rows) for each of the bloc's pledges in scoring or closed,
    oldest first, in 5 queries whatever the number of years."""
    pledges = list(
        Pledge.objects.filter(
            bloc=bloc, status__in=[Pledge.Status.SCORING, Pledge.Status.CLOSED]
        ).order_by("year")
    )
    if pledges:
        yield from _results_of(bloc, pledges)


def _results_of(
    bloc: Bloc, pledges: list[Pledge]
) -> Iterator[tuple[Pledge, Results, list[dict[str, Any]]]]:
    """(pledge, results, its score rows) for the given pledges of the bloc, in 4 queries."""
    members = _members_by_year(bloc.pk, [p.year for p in pledges])
    criteria: defaultdict[int, list[Criterion]] = defaultdict(list)
    scores: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    adjustments: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in Criterion.objects.filter(pledge__in=pledges):
        criteria[c.pledge_id].append(c)
    for row in Score.objects.filter(sheet__pledge__in=pledges).order_by().values(*SCORE_FIELDS):
        scores[row["sheet__pledge_id"]].append(row)
    for row in _adjustment_rows(pledges):
        adjustments[row["pledge_id"]].append(row)
    for p in pledges:
        results = _results(p, members[p.year], criteria[p.pk], scores[p.pk], adjustments[p.pk])
        yield p, results, scores[p.pk]


@dataclass(frozen=True)
class RankPoint:
    """One year of a member's rank-over-the-years: `rank` None when it was not ranked that
    year (no pledge in scoring, or no score), `tied` when it shares the rank, `provisional`
    while the rank rests on scores not yet verified (see `rank_series`)."""

    year: int
    rank: int | None
    tied: bool = False
    provisional: bool = False


def rank_series(bloc: Bloc, organization: Organization | int) -> list[RankPoint]:
    """The member's rank in every year from the bloc's first ranked year to its last, the
    years without a rank included (a chart draws no line across them). A year is
    provisional until its pledge is closed, unless, in a self-verified year, the
    secretariat has submitted the member's verification sheet (its rank then rests on
    verified scores only). 5 queries whatever the number of years."""
    org_id = getattr(organization, "pk", organization)
    found: dict[int, RankPoint] = {}
    for p, results, rows in _yearly_results(bloc):
        member = next(
            (m for m in results.members if m.scored and m.organization.pk == org_id), None
        )
        if member is None:
            continue
        verified = any(
            row["sheet__organization_id"] == org_id
            and row["sheet__round"] == ScoreSheet.Round.VERIFIED
            and row["sheet__status"] == ScoreSheet.Status.SUBMITTED
            for row in rows
        )
        final = p.status == Pledge.Status.CLOSED or (
            p.scoring_method == Pledge.ScoringMethod.SELF_VERIFIED and verified
        )
        found[p.year] = RankPoint(p.year, member.rank, member.tied, not final)
    if not found:
        return []
    years = range(min(found), max(found) + 1)
    return [found.get(year, RankPoint(year, None)) for year in years]

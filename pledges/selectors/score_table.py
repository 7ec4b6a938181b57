"""The score table of a year as plain data: what the results page exports, what the year-end
report prints as its Phụ lục 1 and writes as its spreadsheet (one table, one layout).

Plain JSON values (numbers as decimal strings, None for "no score"), read in a fixed number
of queries whatever the number of members: the ranking (4), self-scores (1), registrations
with their titles and targets (3), adjustment lines (1), and last year's ranking (1, and 4
more when last year was scored).
The notes (tie-breaks, unscored members) are written in Vietnamese: they belong to a
Vietnamese document whatever the language of the person who builds it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import translation

from ..models import Adjustment, Pledge, Registration, RegistrationTarget, Score, ScoreSheet
from ..ranking import Results, compute_results

Data = dict[str, Any]
CENT = Decimal("0.01")
UNSCORED_NOTE = "Chưa chấm điểm: xếp cuối bảng, không xếp loại."
TIED_NOTE = "Đồng hạng {rank}."
# The column of the final points, by scoring method.
FINAL_LABELS: dict[str, str] = {
    Pledge.ScoringMethod.SELF_VERIFIED: "Điểm thẩm định",
    Pledge.ScoringMethod.CROSS_AVERAGE: "Điểm chấm chéo",
    Pledge.ScoringMethod.CROSS_TRIMMED: "Điểm chấm chéo",
}
ADJUSTMENT_LABELS: dict[str, str] = {
    Adjustment.Kind.BONUS: "Điểm thưởng",
    Adjustment.Kind.PENALTY: "Điểm trừ",
}


def _dec(value: Decimal | int | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def _self_totals(pledge: Pledge) -> dict[int, Decimal]:
    """Each member's submitted self-score (sum of its points), 1 query."""
    rows = (
        Score.objects.filter(
            sheet__pledge=pledge,
            sheet__round=ScoreSheet.Round.SELF,
            sheet__status=ScoreSheet.Status.SUBMITTED,
        )
        .values("sheet__organization_id")
        .annotate(total=Sum("points"))
        .order_by()
    )
    return {r["sheet__organization_id"]: r["total"] or Decimal(0) for r in rows}


def _target(target: RegistrationTarget) -> str:
    if target.number is None:
        return target.text
    number = f"{target.number.normalize():f}".replace(".", ",")
    return f"{target.text}: {number} {target.unit}".rstrip()


def _registrations(pledge: Pledge) -> dict[int, tuple[list[str], list[str]]]:
    """The titles and targets each member registered, 3 queries."""
    found = Registration.objects.filter(pledge=pledge).prefetch_related("titles", "targets")
    return {
        r.organization_id: (
            [t.name for t in r.titles.all()],
            [_target(t) for t in sorted(r.targets.all(), key=lambda t: (t.item_id, t.pk))],
        )
        for r in found
    }


def _last_year_ranks(pledge: Pledge) -> dict[int, int]:
    previous = (
        Pledge.objects.filter(
            bloc_id=pledge.bloc_id,
            year=pledge.year - 1,
            status__in=[Pledge.Status.SCORING, Pledge.Status.CLOSED],
        )
        .select_related("bloc")
        .first()
    )
    if previous is None:
        return {}
    return {m.organization.pk: m.rank for m in compute_results(previous).members if m.scored}


def score_table(pledge: Pledge, results: Results | None = None) -> Data:
    """The year's score table (see the module docstring)."""
    with translation.override("vi"):  # the tie notes are written while ranking
        results = results or compute_results(pledge)
        labels = dict(Pledge.TieBreak.choices)
        tie_break = [str(labels.get(tb, tb)).lower() for tb in pledge.tie_break_order]
    groups = results.groups
    self_totals = _self_totals(pledge)
    registered = _registrations(pledge)
    last_ranks = _last_year_ranks(pledge)
    lines: defaultdict[int, list[Data]] = defaultdict(list)
    names = {m.organization.pk: m.organization.name for m in results.members}
    adjustments = []
    for line in Adjustment.objects.filter(pledge=pledge).order_by("organization_id", "pk"):
        entry = {
            "name": names.get(line.organization_id, ""),
            "kind": line.kind,
            "label": ADJUSTMENT_LABELS.get(line.kind, line.kind),
            "points": _dec(line.points),
            "reason": line.reason,
        }
        lines[line.organization_id].append(entry)
        adjustments.append(entry)
    rows, notes = [], []
    for m in results.members:
        org_id = m.organization.pk
        note, mark = "", ""
        if not m.scored:
            note = UNSCORED_NOTE
        elif m.tie_note:
            notes.append({"name": m.organization.name, "text": m.tie_note})
            mark = str(len(notes))
            note = m.tie_note
        rows.append(
            {
                "rank": m.rank,
                "tied": m.tied and m.scored,
                "scored": m.scored,
                "mark": mark,
                "note": note,
                "name": m.organization.name,
                "short_name": m.organization.short_name or m.organization.name,
                "group_points": [
                    _dec(m.group_points.get(g.pk)) if m.scored else None for g in groups
                ],
                "self_total": _dec(self_totals.get(org_id)),
                "base": _dec(m.base_points) if m.scored else None,
                "bonus": _dec(m.bonus),
                "penalty": _dec(m.penalty),
                "total": _dec(m.total) if m.scored else None,
                "classification": m.classification,
                "registered": registered.get(org_id, ([], []))[0],
                "targets": registered.get(org_id, ([], []))[1],
                "last_rank": last_ranks.get(org_id),
                "adjustments": lines.get(org_id, []),
            }
        )
    return {
        "groups": [
            {"id": g.pk, "code": g.code, "text": g.text, "max": _dec(g.max_points)} for g in groups
        ],
        "rows": rows,
        "final_label": FINAL_LABELS.get(pledge.scoring_method, "Điểm tiêu chí"),
        "tie_break": tie_break,
        "tie_notes": notes,
        "adjustments": adjustments,
        "has_last_year": bool(last_ranks),
        "has_registrations": bool(registered),
    }

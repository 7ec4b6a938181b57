"""Writes with rules for scoring: score sheets and their scores (evidence: `evidence.py`;
bonus and penalty lines: `adjustments.py`).

Every function runs in one transaction, validates before it writes, raises ValidationError
with the module-level messages below, and records the actor in the audit history; a reason
for changing a submitted value is kept as the history's change_reason.

Who may write is the policy's (`pledges.rules`), asked here for the actor: a self sheet is
written by its organization's officials and the secretariat, a cross sheet by the scoring
member's officials (and the secretariat), a verification sheet, the sending back and the
bonus and penalty lines by the secretariat only (PermissionDenied; `actor: Actor = None` is the
system itself). Then the state is checked: the pledge must be in scoring (and not closed),
a submitted self sheet is read-only, a changed submitted value needs a reason, and a stale
`version` is refused (optimistic concurrency: the form carries the version it showed; 0 for
a cell that was empty; None skips the check).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization
from portal.lib.history import stamp
from portal.lib.numbers import format_points
from portal.lib.people import person_name
from portal.lib.types import Actor

from .. import rules
from ..models import Criterion, Pledge, Score, ScoreSheet
from ..selectors import members_of
from .year import NOT_A_MEMBER, check_writable

__all__ = [
    "BAD_NUMBER",
    "BONUS_NEGATIVE",
    "BONUS_NOT_ALLOWED",
    "BONUS_OVER_CAP",
    "NOT_A_LEAF",
    "POINTS_NEGATIVE",
    "POINTS_OVER_MAX",
    "REASON_REQUIRED",
    "ROUND_NOT_FOR_METHOD",
    "SCORER_IS_SCORED",
    "SCORER_NOT_MEMBER",
    "SCORER_ONLY_FOR_CROSS",
    "SCORER_REQUIRED",
    "SCORE_CHANGED_MEANWHILE",
    "SCORING_NOT_OPEN",
    "SHEET_SUBMITTED",
    "TOO_MANY_DECIMALS",
    "check_score_limits",
    "check_sheet_writer",
    "score_save",
    "sheet_for",
    "sheet_save_grid",
]

SCORING_NOT_OPEN = _(
    "Scores can be entered only while the pledge is in scoring; it is “%(status)s” now."
)
ROUND_NOT_FOR_METHOD = _(
    "The “%(round)s” round is not used with this year's scoring method (%(method)s)."
)
SCORER_REQUIRED = _("Cross-scoring needs the member that scores.")
SCORER_ONLY_FOR_CROSS = _("Only cross-scoring sheets have a scoring member.")
SCORER_IS_SCORED = _("%(organization)s cannot cross-score itself.")
SCORER_NOT_MEMBER = _(
    "%(scorer)s is not a member of %(bloc)s in %(year)s, so it cannot cross-score."
)
NOT_A_LEAF = _(
    "%(code)s cannot take points: only the lowest-level criteria of this pledge are scored."
)
BAD_NUMBER = _("%(code)s: “%(value)s” is not a number.")
TOO_MANY_DECIMALS = _("%(code)s: use at most 2 decimals (“%(value)s”).")
POINTS_NEGATIVE = _("%(code)s: points cannot be negative (%(points)s).")
POINTS_OVER_MAX = _("%(code)s: %(points)s points is more than its maximum of %(max)s.")
BONUS_NEGATIVE = _("%(code)s: bonus points cannot be negative (%(bonus)s).")
BONUS_NOT_ALLOWED = _("%(code)s has no bonus points; leave its bonus at 0 (not %(bonus)s).")
BONUS_OVER_CAP = _("%(code)s: a bonus of %(bonus)s is more than its bonus cap of %(cap)s.")
SHEET_SUBMITTED = _(
    "This self-scoring sheet was submitted on %(date)s and can no longer be changed."
)
REASON_REQUIRED = _(
    "%(code)s: give the reason for changing the submitted value (%(old)s → %(new)s)."
)
SCORE_CHANGED_MEANWHILE = _(
    "Someone else changed this score meanwhile (now %(points)s by %(user)s). Reload and try again."
)

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "?"


def _submitted_day(sheet: ScoreSheet) -> str:
    when = sheet.submitted_at
    return _day(timezone.localtime(when).date() if when else None)


def _user_name(user: Actor) -> str:
    if user is None:
        return str(_("someone"))
    return person_name(user)


def _decimal(value: object, code: str) -> Decimal:
    """A points value as a 2-decimal Decimal (never through float), or ValidationError."""
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(BAD_NUMBER % {"code": code, "value": value}, code="bad_number")
    if number != number.quantize(CENT):
        raise ValidationError(
            TOO_MANY_DECIMALS % {"code": code, "value": value}, code="too_many_decimals"
        )
    return number.quantize(CENT)


def _fresh_pledge(pledge_id: int) -> Pledge:
    return Pledge.objects.get(pk=pledge_id)


def _check_scoring(pledge: Pledge) -> None:
    check_writable(pledge)
    if pledge.status != Pledge.Status.SCORING:
        raise ValidationError(
            SCORING_NOT_OPEN % {"status": pledge.get_status_display()}, code="not_scoring"
        )


def _check_round(pledge: Pledge, round: str) -> None:
    cross = round == ScoreSheet.Round.CROSS
    if round == ScoreSheet.Round.SELF or cross == pledge.is_cross_scored:
        return
    raise ValidationError(
        ROUND_NOT_FOR_METHOD
        % {
            "round": ScoreSheet.Round(round).label,
            "method": pledge.get_scoring_method_display(),
        },
        code="wrong_round",
    )


def check_sheet_writer(actor: Actor, sheet: ScoreSheet) -> None:
    """Refuse (PermissionDenied) an actor the policy does not let write this sheet."""
    if actor is not None and not rules.PledgeAccess(actor, sheet.pledge).may_write_sheet(sheet):
        raise PermissionDenied


# Sheets -------------------------------------------------------------------------------


@transaction.atomic
def sheet_for(
    *,
    pledge: Pledge,
    organization: Organization,
    round: str,
    scorer: Organization | None = None,
    actor: Actor = None,
) -> ScoreSheet:
    """The member's sheet of that round (and scorer), created as a draft if missing.

    An existing sheet is returned as it is (also on a closed pledge, for reading);
    creating one checks the actor (the policy: who writes such a sheet), the round against
    the scoring method and the membership.
    """
    if round not in ScoreSheet.Round.values:
        raise ValidationError(
            ROUND_NOT_FOR_METHOD % {"round": round, "method": pledge.get_scoring_method_display()},
            code="wrong_round",
        )
    cross = round == ScoreSheet.Round.CROSS
    if cross and scorer is None:
        raise ValidationError({"scorer": SCORER_REQUIRED}, code="no_scorer")
    if not cross and scorer is not None:
        raise ValidationError({"scorer": SCORER_ONLY_FOR_CROSS}, code="scorer_not_cross")
    existing = ScoreSheet.objects.filter(
        pledge=pledge, organization=organization, round=round, scorer=scorer
    ).first()
    if existing is not None:
        return existing
    pledge = _fresh_pledge(pledge.pk)
    check_sheet_writer(
        actor, ScoreSheet(pledge=pledge, organization=organization, round=round, scorer=scorer)
    )
    check_writable(pledge)
    _check_round(pledge, round)
    member_ids = {org.pk for org in members_of(pledge)}
    params = {"bloc": pledge.bloc, "year": pledge.year}
    if organization.pk not in member_ids:
        raise ValidationError(
            {"organization": NOT_A_MEMBER % {**params, "organization": organization}},
            code="not_member",
        )
    if scorer is not None:  # a cross sheet: only those have a scorer (checked above)
        if scorer.pk == organization.pk:
            raise ValidationError(
                {"scorer": SCORER_IS_SCORED % {"organization": organization}},
                code="scorer_is_scored",
            )
        if scorer.pk not in member_ids:
            raise ValidationError(
                {"scorer": SCORER_NOT_MEMBER % {**params, "scorer": scorer}},
                code="scorer_not_member",
            )
    sheet, _created = ScoreSheet.objects.get_or_create(
        pledge=pledge, organization=organization, round=round, scorer=scorer
    )
    return sheet


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    # One writer per sheet at a time: the compare-and-write of versions (and the creation
    # of a missing score row) cannot interleave with another save of the same sheet.
    return (
        ScoreSheet.objects.select_for_update(of=("self",)).select_related("pledge").get(pk=sheet.pk)
    )


def _leaves(pledge: Pledge) -> dict[int, Criterion]:
    criteria = list(Criterion.objects.filter(pledge=pledge))
    parents = {c.parent_id for c in criteria if c.parent_id}
    return {c.pk: c for c in criteria if c.pk not in parents}


def _reference(sheet: ScoreSheet) -> dict[int, Score]:
    """Submitted values a change must give a reason against, by criterion id."""
    if sheet.round == ScoreSheet.Round.VERIFIED:
        return {
            s.criterion_id: s
            for s in Score.objects.filter(
                sheet__pledge_id=sheet.pledge_id,
                sheet__organization_id=sheet.organization_id,
                sheet__round=ScoreSheet.Round.SELF,
                sheet__status=ScoreSheet.Status.SUBMITTED,
            )
        }
    return {}


# The limits of one score, checked once: the service refuses with the messages below; the
# forms (`pledges.forms.scoring`) ask the same function and word them for their field.
LIMIT_MESSAGES = {
    "points_negative": POINTS_NEGATIVE,
    "points_over_max": POINTS_OVER_MAX,
    "bonus_negative": BONUS_NEGATIVE,
    "bonus_not_allowed": BONUS_NOT_ALLOWED,
    "bonus_over_cap": BONUS_OVER_CAP,
}
LIMIT_CODES = {
    "points_negative": "negative",
    "points_over_max": "over_max",
    "bonus_negative": "negative",
    "bonus_not_allowed": "bonus_not_allowed",
    "bonus_over_cap": "bonus_over_cap",
}


def check_score_limits(
    criterion: Criterion, *, points: Decimal | None = None, bonus: Decimal | None = None
) -> list[tuple[str, str]]:
    """Pure: the limits of `criterion` that the values break, as (field, limit) pairs in
    the order they are checked (limit: a key of LIMIT_MESSAGES); [] when within them.
    A value left out (None) is not checked."""
    broken: list[tuple[str, str]] = []
    if points is not None:
        if points < ZERO:
            broken.append(("points", "points_negative"))
        elif points > criterion.max_points:
            broken.append(("points", "points_over_max"))
    if bonus is not None:
        if bonus < ZERO:
            broken.append(("bonus", "bonus_negative"))
        elif bonus > ZERO and not criterion.bonus_cap:
            broken.append(("bonus", "bonus_not_allowed"))
        elif criterion.bonus_cap is not None and bonus > criterion.bonus_cap:
            broken.append(("bonus", "bonus_over_cap"))
    return broken


def _check_row(
    sheet: ScoreSheet,
    leaves: dict[int, Criterion],
    current: Score | None,
    reference: Score | None,
    *,
    criterion: Criterion | int,
    points: object,
    bonus: object,
    explanation: str,
    version: int | None,
    reason: str,
) -> tuple[Criterion, Decimal, Decimal, str] | None:
    """Validate one score; the values to write, or None when nothing changes."""
    criterion_id = _criterion_id(criterion)
    leaf = leaves.get(criterion_id)
    if leaf is None:
        code = getattr(criterion, "code", criterion_id)
        raise ValidationError(NOT_A_LEAF % {"code": code}, code="not_leaf")
    code = leaf.code
    points = _decimal(points, code)
    bonus = _decimal(bonus if bonus not in (None, "") else ZERO, code)
    explanation = (explanation or "").strip()
    broken = check_score_limits(leaf, points=points, bonus=bonus)
    if broken:
        _field, limit = broken[0]
        params = {"code": code, "points": format_points(points), "bonus": format_points(bonus)}
        params |= {"max": format_points(leaf.max_points), "cap": format_points(leaf.bonus_cap)}
        raise ValidationError(LIMIT_MESSAGES[limit] % params, code=LIMIT_CODES[limit])
    unchanged = current is not None and (current.points, current.bonus, current.explanation) == (
        points,
        bonus,
        explanation,
    )
    if unchanged:
        return None
    # A form shows version n of a row (0 for an empty cell); the row must still be at n.
    if version is not None and current is not None and current.version != version:
        raise ValidationError(
            SCORE_CHANGED_MEANWHILE
            % {"points": format_points(current.points), "user": _user_name(current.updated_by)},
            code="changed_meanwhile",
        )
    new = (points, bonus)
    points_change = current is None or (current.points, current.bonus) != new
    # Submitted values that a change of points must be justified against.
    olds: list[Score] = []
    if sheet.round == ScoreSheet.Round.VERIFIED and reference is not None:
        olds.append(reference)  # the member's submitted self-score
    if sheet.round != ScoreSheet.Round.SELF and sheet.is_submitted and current is not None:
        olds.append(current)
    old = next((o for o in olds if (o.points, o.bonus) != new), None)
    if old is not None and points_change and (old.points, old.bonus) != new and not reason:
        raise ValidationError(
            REASON_REQUIRED
            % {"code": code, "old": _pair(old.points, old.bonus), "new": _pair(points, bonus)},
            code="reason_required",
        )
    return leaf, points, bonus, explanation


def _criterion_id(criterion: Criterion | int) -> int:
    """The id of a criterion given as itself or by its id."""
    return cast(int, getattr(criterion, "pk", criterion))


def _pair(points: Decimal, bonus: Decimal) -> str:
    return (
        format_points(points) if not bonus else f"{format_points(points)} + {format_points(bonus)}"
    )


def _write(
    sheet: ScoreSheet,
    current: Score | None,
    leaf: Criterion,
    points: Decimal,
    bonus: Decimal,
    explanation: str,
    reason: str,
    actor: Actor,
) -> Score:
    score = current or Score(sheet=sheet, criterion=leaf, version=0)
    score.points, score.bonus, score.explanation = points, bonus, explanation
    score.version += 1
    score.updated_by = actor
    stamp(score, actor, reason)  # the callers pass the reason stripped
    score.save()
    return score


def _prepare(sheet: ScoreSheet, actor: Actor) -> ScoreSheet:
    sheet = _lock_sheet(sheet)
    check_sheet_writer(actor, sheet)
    _check_scoring(sheet.pledge)
    if sheet.round == ScoreSheet.Round.SELF and sheet.is_submitted:
        raise ValidationError(
            SHEET_SUBMITTED % {"date": _submitted_day(sheet)}, code="sheet_submitted"
        )
    return sheet


@transaction.atomic
def score_save(
    *,
    sheet: ScoreSheet,
    criterion: Criterion | int,
    points: object,
    bonus: object = ZERO,
    explanation: str = "",
    version: int | None = None,
    reason: str = "",
    actor: Actor = None,
) -> Score:
    """Save one score (see the module doc for the checks); returns the score as stored."""
    sheet = _prepare(sheet, actor)
    reason = (reason or "").strip()
    leaves = _leaves(sheet.pledge)
    current = (
        Score.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(sheet=sheet, criterion_id=_criterion_id(criterion))
        .first()
    )
    reference = _reference(sheet).get(_criterion_id(criterion))
    checked = _check_row(
        sheet,
        leaves,
        current,
        reference,
        criterion=criterion,
        points=points,
        bonus=bonus,
        explanation=explanation,
        version=version,
        reason=reason,
    )
    if checked is None:  # nothing changes, which only an existing row can do
        if current is None:
            raise AssertionError("an unchanged score has a row")
        return current
    return _write(sheet, current, *checked, reason, actor)


@transaction.atomic
def sheet_save_grid(
    *, sheet: ScoreSheet, rows: list[dict[str, Any]], reason: str = "", actor: Actor = None
) -> None:
    """Save a whole grid or nothing: every row is checked first; errors come back as one
    ValidationError keyed by criterion code. Rows whose points are empty are skipped."""
    sheet = _prepare(sheet, actor)
    reason = (reason or "").strip()
    leaves = _leaves(sheet.pledge)
    current = {
        s.criterion_id: s
        for s in Score.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(sheet=sheet)
    }
    reference = _reference(sheet)
    errors: dict[str, list[ValidationError]] = {}
    writes: list[tuple[Score | None, tuple[Criterion, Decimal, Decimal, str]]] = []
    for row in rows:
        criterion = row["criterion"]
        criterion_id = _criterion_id(criterion)
        if row.get("points") in (None, ""):
            continue
        try:
            checked = _check_row(
                sheet,
                leaves,
                current.get(criterion_id),
                reference.get(criterion_id),
                criterion=criterion,
                points=row["points"],
                bonus=row.get("bonus"),
                explanation=row.get("explanation", ""),
                version=row.get("version"),
                reason=reason,
            )
        except ValidationError as exc:
            leaf = leaves.get(criterion_id)
            key = leaf.code if leaf else str(getattr(criterion, "code", criterion_id))
            errors.setdefault(key, []).extend(exc.error_list)
            continue
        if checked is not None:
            writes.append((current.get(criterion_id), checked))
    if errors:
        raise ValidationError(errors, code="grid_invalid")
    for existing, checked in writes:
        _write(sheet, existing, *checked, reason, actor)

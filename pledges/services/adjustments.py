"""Writes with rules for the bonus and penalty lines of the year (the secretariat's:
`pledges.rules.check_manages` refuses anyone else; `actor: Actor = None` is the system itself)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization
from portal.lib.history import stamp
from portal.lib.numbers import format_points
from portal.lib.types import Actor

from .. import rules
from ..models import Adjustment, Pledge
from ..selectors import members_of
from .scoring import ZERO, _decimal, _fresh_pledge
from .year import NOT_A_MEMBER, check_writable

__all__ = [
    "ADJUSTMENT_NOT_POSITIVE",
    "ADJUSTMENT_REASON_REQUIRED",
    "BONUS_CAP_EXCEEDED",
    "PENALTY_CAP_EXCEEDED",
    "adjustment_add",
    "adjustment_delete",
]

ADJUSTMENT_NOT_POSITIVE = _("The points must be more than 0 (not %(points)s).")
ADJUSTMENT_REASON_REQUIRED = _("Give the reason for this bonus or penalty.")
BONUS_CAP_EXCEEDED = _(
    "Bonus points for %(organization)s would come to %(total)s (now %(current)s + "
    "%(points)s), more than the bonus cap of %(cap)s."
)
PENALTY_CAP_EXCEEDED = _(
    "Penalty points for %(organization)s would come to %(total)s (now %(current)s + "
    "%(points)s), more than the penalty cap of %(cap)s."
)


@transaction.atomic
def adjustment_add(
    *,
    pledge: Pledge,
    organization: Organization,
    kind: str,
    points: object,
    reason: str,
    actor: Actor = None,
) -> Adjustment:
    """A bonus or penalty line; the member's bonus (criterion bonuses + bonus lines) and
    penalty totals must stay within the pledge's caps when set."""
    from ..ranking import compute_results  # ranking reads models only; imported lazily

    # Lock the pledge: two lines added at once cannot both pass the cap check.
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("bloc").get(pk=pledge.pk)
    rules.check_manages(actor, pledge)
    check_writable(pledge)
    if kind not in Adjustment.Kind.values:
        raise ValidationError({"kind": _("Choose bonus or penalty.")}, code="bad_kind")
    if organization.pk not in {o.pk for o in members_of(pledge)}:
        raise ValidationError(
            {
                "organization": NOT_A_MEMBER
                % {"organization": organization, "bloc": pledge.bloc, "year": pledge.year}
            },
            code="not_member",
        )
    try:
        points = _decimal(points, "")
    except ValidationError as exc:
        raise ValidationError({"points": exc.messages}, code=exc.code) from exc
    if points <= ZERO:
        raise ValidationError(
            {"points": ADJUSTMENT_NOT_POSITIVE % {"points": format_points(points)}},
            code="not_positive",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ADJUSTMENT_REASON_REQUIRED}, code="no_reason")
    bonus = kind == Adjustment.Kind.BONUS
    cap = pledge.bonus_cap if bonus else pledge.penalty_cap
    if cap is not None:
        result = compute_results(pledge).for_organization(organization)
        if result is None:  # every member has a row of results; membership is checked above
            raise AssertionError("a member has a row of results")
        current = result.criterion_bonus + result.bonus_lines if bonus else result.penalty_lines
        if current + points > cap:
            message = BONUS_CAP_EXCEEDED if bonus else PENALTY_CAP_EXCEEDED
            raise ValidationError(
                {
                    "points": message
                    % {
                        "organization": organization,
                        "total": format_points(current + points),
                        "current": format_points(current),
                        "points": format_points(points),
                        "cap": format_points(cap),
                    }
                },
                code="over_cap",
            )
    adjustment = Adjustment(
        pledge=pledge,
        organization=organization,
        kind=kind,
        points=points,
        reason=reason,
        created_by=actor,
    )
    adjustment.full_clean(exclude=["created_by"])
    stamp(adjustment, actor)
    adjustment.save()
    return adjustment


@transaction.atomic
def adjustment_delete(*, adjustment: Adjustment, actor: Actor = None) -> None:
    pledge = _fresh_pledge(adjustment.pledge_id)
    rules.check_manages(actor, pledge)
    check_writable(pledge)
    stamp(adjustment, actor)
    adjustment.delete()

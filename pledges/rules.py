"""Who may do what with a pledge. Views ask through these, never inline.

- staff may do everything;
- members: whoever may read the bloc (officials of organizations that belong to it, its
  assigned secretaries) may read its pledges;
- the secretariat of the pledge's year (blocs.rules.is_secretariat for that year) manages it;
- score sheets: the secretariat reads them all; an organization always reads the sheets about
  itself and the cross sheets it scores; other members read only submitted sheets, so nobody
  sees another member's draft self-scores before they are submitted.
"""

from __future__ import annotations

import rules

from blocs.models import Membership, Official, Organization
from blocs.rules import is_secretariat, may_read

from .models import Pledge, ScoreSheet


@rules.predicate
def is_pledge_member(user, pledge: Pledge | None) -> bool:
    """May read the pledge: the bloc is visible to the user."""
    if pledge is None or not user.is_authenticated:
        return False
    return may_read(user, pledge.bloc)


@rules.predicate
def is_pledge_secretariat(user, pledge: Pledge | None) -> bool:
    """The bloc's secretariat in the pledge's year (assigned secretaries, the chair's officials)."""
    if pledge is None or not user.is_authenticated:
        return False
    return is_secretariat(user, pledge.bloc, pledge.year)


def official_org(user, pledge: Pledge) -> Organization | None:
    """The user's organization when it is a member of the pledge's bloc in the pledge's year.

    Cached on the user object per bloc and year, so a page asking for many sheets of one
    pledge costs one query.
    """
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_pledges_official_org", {})
    key = (pledge.bloc_id, pledge.year)
    if key not in cache:
        official = Official.objects.filter(user=user).select_related("organization").first()
        org = official.organization if official is not None else None
        if org is not None and not (
            Membership.objects.filter(bloc_id=pledge.bloc_id, organization=org)
            .active_in(pledge.year)
            .exists()
        ):
            org = None
        cache[key] = org
    return cache[key]


def can_read_sheet(user, sheet: ScoreSheet) -> bool:
    """Whether `user` may see the scores of `sheet` (see the module docstring)."""
    if sheet is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    pledge = sheet.pledge
    if is_pledge_secretariat(user, pledge):
        return True
    org = official_org(user, pledge)
    if org is not None and (sheet.organization_id == org.pk or sheet.scorer_id == org.pk):
        return True
    return sheet.is_submitted and bool(is_pledge_member(user, pledge))


@rules.predicate
def may_read_sheet(user, sheet: ScoreSheet | None) -> bool:
    return can_read_sheet(user, sheet)


rules.add_perm("pledges.read_pledge", rules.is_staff | is_pledge_member)
rules.add_perm("pledges.manage_pledge", rules.is_staff | is_pledge_secretariat)
rules.add_perm("pledges.read_sheet", may_read_sheet)

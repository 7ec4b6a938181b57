"""What the pledge-side pages show, each as a frozen read model built in a fixed number of
queries: a bloc's years, the pledge page, the criteria editor, signing, a member's
registration and the registrations of the year. Who may do what comes from the policy
(`pledges.rules.PledgeAccess`, `blocs.rules`); the models only carry its answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from blocs.models import Bloc, Organization, current_year
from blocs.rules import access as bloc_access
from portal.lib.numbers import format_number
from portal.lib.types import Person, StrOrPromise

from .. import services
from ..models import (
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Pledge,
    PledgeItem,
    PledgeSignature,
    Registration,
    RegistrationTarget,
)
from ..rules import PledgeAccess, visible_pledges
from . import members_of
from .criteria import CriterionRow, criteria_rows, groups_total

Status = Pledge.Status


def as_context(page: Any) -> dict[str, Any]:
    """A read model's fields as template variables, with the model itself as `page`."""
    return {"page": page, **{f.name: getattr(page, f.name) for f in fields(page)}}


# A bloc's years ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgeListPage:
    bloc: Bloc
    pledges: list[Pledge]  # newest first, with items_count and signatures_count
    year: int | None  # the year a new pledge would be for
    can_create: bool
    can_copy: bool


def pledge_list_page(bloc: Bloc, user: Person) -> PledgeListPage:
    """The bloc's years with their counts (1 query); a new pledge is this year's, or next
    year's once this year has one (prepared in December), for that year's secretariat."""
    year = current_year()
    pledges = list(
        visible_pledges(user)  # the years the user reads, drafts for their secretariat
        .filter(bloc=bloc)
        .annotate(
            items_count=Count("items", distinct=True),
            signatures_count=Count("signatures", distinct=True),
        )
        .order_by("-year")
    )
    years = {p.year for p in pledges}
    target = next((y for y in (year, year + 1) if y not in years), None)
    can_create = target is not None and bloc_access(user, bloc, target, readable=True).can_write
    can_copy = can_create and any(y < target for y in years)
    return PledgeListPage(bloc, pledges, target, can_create, can_copy)


# The pledge page --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureRow:
    organization: Organization
    signature: PledgeSignature | None
    can_withdraw: bool = False


@dataclass(frozen=True)
class PledgePage:
    pledge: Pledge
    items: list[PledgeItem]
    criteria: list[CriterionRow]
    groups_total: Decimal
    quotas: list[CommendationQuota]
    signatures: list[SignatureRow]
    signed: int
    steps: list[tuple[StrOrPromise, str, str]]
    rules: list[tuple[str, list[StrOrPromise]]] = field(default_factory=list)
    my_org: Organization | None = None
    my_signature: PledgeSignature | None = None
    can_sign_own: bool = False  # the user's organization may sign now and has not
    next_status: str | None = None
    can_withdraw: bool = False  # the withdraw column: some signature the user may withdraw
    items_editable: bool = False
    criteria_editable: bool = False
    legal_basis: list[str] = field(default_factory=list)


def _steps(pledge: Pledge) -> list[tuple[StrOrPromise, str, str]]:
    """The status stepper: (label, value, done|current|todo)."""
    order = list(services.STATUS_ORDER)
    index = order.index(pledge.status)
    states = ["done"] * index + ["current"] + ["todo"] * (len(order) - index - 1)
    return [(Status(s).label, s, state) for s, state in zip(order, states, strict=True)]


def _points(value: Decimal | int | float | str) -> str:
    return format_number(value)  # "66,67", "40": the reader's decimal comma


def _vote_rule(pledge: Pledge) -> str:
    # Keyed by the stored value (a VoteBase is a str): pledge.vote_base is a plain string.
    bases: dict[str, str] = {
        Pledge.VoteBase.MEMBERS: _("all members of the bloc"),
        Pledge.VoteBase.PRESENT: _("the members present"),
        Pledge.VoteBase.VALID: _("the valid ballots"),
    }
    base = bases[pledge.vote_base]
    params = {"threshold": _points(pledge.vote_threshold), "base": base}
    if pledge.vote_threshold_strict:
        return _("more than %(threshold)s%% of %(base)s") % params
    return _("at least %(threshold)s%% of %(base)s") % params


def _quota_text(quota: CommendationQuota) -> str:
    parts = []
    if quota.max_percent is not None:
        base = (
            _("the members of the bloc")
            if quota.base == CommendationQuota.Base.MEMBERS
            else _("the leading units")
        )
        parts.append(
            _("%(percent)s%% of %(base)s") % {"percent": _points(quota.max_percent), "base": base}
        )
    if quota.max_count is not None:
        parts.append(_("%(count)s in number") % {"count": quota.max_count})
    return _("at most %(limits)s") % {"limits": _(" and at most ").join(parts)}


def _rules(pledge: Pledge, quotas: list[CommendationQuota]) -> list[tuple[str, list[StrOrPromise]]]:
    """The year's rules in plain words: (term, [lines])."""

    def cap(value: Decimal | None) -> str:
        if value is None:
            return _("no cap")
        return _("at most %(points)s points in all") % {"points": _points(value)}

    bands: list[StrOrPromise] = [
        _("%(name)s: from %(min)s points") % {"name": b.get("name"), "min": b.get("min")}
        for b in pledge.classification_bands or []
    ]
    tie_breaks: list[StrOrPromise] = [
        Pledge.TieBreak(v).label for v in pledge.tie_break_order or [] if v in Pledge.TieBreak
    ]
    leading = _("%(count)s unit(s), chosen by secret ballot among the members") % {
        "count": pledge.leading_units
    }
    quota_lines: list[StrOrPromise] = [f"{q.title.name}: {_quota_text(q)}" for q in quotas]
    return [
        (_("Scoring method"), [pledge.get_scoring_method_display()]),
        (_("Bonus points"), [cap(pledge.bonus_cap)]),
        (_("Penalty points"), [cap(pledge.penalty_cap)]),
        (_("Classification"), bands or [_("not set")]),
        (
            _("Equal totals are ordered by"),
            tie_breaks or [_("not set: equal totals share a rank")],
        ),
        (_("A candidate passes a ballot with"), [_vote_rule(pledge)]),
        (_("Leading units"), [leading]),
        (_("Commendation quotas"), quota_lines or [_("none")]),
    ]


def _signature_rows(pledge: Pledge, access: PledgeAccess) -> list[SignatureRow]:
    """A row per member in rotation order (2 queries); a signature of an organization that
    has since left stays on record (1 more query when there is one)."""
    signatures = {s.organization_id: s for s in pledge.signatures.select_related("meeting")}
    members = members_of(pledge)
    member_ids = {org.pk for org in members}
    pairs = [(org, signatures.get(org.pk)) for org in members]
    extra = [s for org_id, s in signatures.items() if org_id not in member_ids]
    if extra:
        organizations = Organization.objects.in_bulk([s.organization_id for s in extra])
        pairs += [(organizations[s.organization_id], s) for s in extra]
    return [SignatureRow(org, s, access.may_withdraw(s)) for org, s in pairs]


def pledge_page(pledge: Pledge, access: PledgeAccess) -> PledgePage:
    """Everything the pledge page shows, in a fixed number of queries."""
    rows = criteria_rows(list(pledge.criteria.all()))
    quotas = list(pledge.quotas.select_related("title"))
    my_org = access.org
    signatures = _signature_rows(pledge, access)
    my_signature = next(
        (r.signature for r in signatures if my_org and r.organization.pk == my_org.pk), None
    )
    return PledgePage(
        pledge=pledge,
        items=list(pledge.items.all()),
        criteria=rows,
        groups_total=groups_total(rows),
        quotas=quotas,
        signatures=signatures,
        signed=sum(1 for r in signatures if r.signature),
        steps=_steps(pledge),
        rules=_rules(pledge, quotas),
        my_org=my_org,
        my_signature=my_signature,
        can_sign_own=my_signature is None and access.may_sign(my_org),
        next_status=services.next_status(pledge),
        can_withdraw=any(r.can_withdraw for r in signatures)
        or (access.secretariat and pledge.status == Status.OPEN),
        items_editable=services.items_editable(pledge),
        criteria_editable=services.criteria_editable(pledge),
        legal_basis=[line for line in pledge.legal_basis.splitlines() if line.strip()],
    )


# The criteria editor ----------------------------------------------------------------------


@dataclass(frozen=True)
class CriteriaPage:
    criteria: list[Criterion]
    rows: list[CriterionRow]
    groups_total: Decimal


def criteria_page(pledge: Pledge) -> CriteriaPage:
    """The criteria tree in reading order (1 query)."""
    criteria = list(pledge.criteria.all())
    rows = criteria_rows(criteria)
    return CriteriaPage(criteria, rows, groups_total(rows))


# Signing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningPage:
    recording: bool  # the secretariat records any member's signature
    unsigned: list[Organization]
    my_org: Organization | None
    my_signature: PledgeSignature | None
    everyone_signed: bool
    can_sign: bool
    signed: int  # members who signed
    members: int


def signing_page(pledge: Pledge, access: PledgeAccess, *, recording: bool) -> SigningPage:
    """Who has signed and who has not (2 queries)."""
    members = members_of(pledge)
    member_ids = {org.pk for org in members}
    signatures = list(pledge.signatures.select_related("meeting"))
    signed_ids = {s.organization_id for s in signatures}
    my_org = access.org
    return SigningPage(
        recording=recording,
        unsigned=[org for org in members if org.pk not in signed_ids],
        my_org=my_org,
        my_signature=next(
            (s for s in signatures if my_org and s.organization_id == my_org.pk), None
        ),
        everyone_signed=recording and signed_ids >= member_ids,
        can_sign=pledge.status == Status.OPEN,
        signed=len(signed_ids & member_ids),
        members=len(members),
    )


# A member's registration ------------------------------------------------------------------


def read_only_reason(pledge: Pledge) -> str:
    """Why a registration cannot be changed, in the services' words: the year is closed, or
    the deadline passed; "" while it can."""
    try:
        services.check_writable(pledge)
        services.check_registration_open(pledge)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@dataclass(frozen=True)
class RegistrationPage:
    pledge: Pledge
    organization: Organization
    registration: Registration | None
    items: list[PledgeItem]
    titles: list[EmulationTitle]  # the active titles
    targets: dict[int, RegistrationTarget]  # by content id
    mine: bool
    writable: bool
    read_only_reason: str  # shown to whom may write it
    deadline: datetime.date | None
    chosen_titles: list[EmulationTitle]
    item_targets: list[tuple[PledgeItem, RegistrationTarget | None]]


def registration_page(
    pledge: Pledge, access: PledgeAccess, organization: Organization
) -> RegistrationPage:
    """`organization`'s registration with its titles and targets (3 queries, 1 when there
    is none), the pledge's contents and the active titles (2)."""
    found = (
        Registration.objects.filter(pledge=pledge, organization=organization)
        .prefetch_related("titles", Prefetch("targets"))
        .first()
    )
    late = services.registration_late(pledge)
    items = list(pledge.items.all())
    targets = {t.item_id: t for t in found.targets.all()} if found else {}
    return RegistrationPage(
        pledge=pledge,
        organization=organization,
        registration=found,
        items=items,
        titles=list(EmulationTitle.objects.filter(is_active=True)),
        targets=targets,
        mine=access.is_own(organization),
        writable=access.may_write_registration(organization, late=late),
        read_only_reason=read_only_reason(pledge) if access.acts_for(organization) else "",
        deadline=pledge.registration_deadline,
        chosen_titles=list(found.titles.all()) if found else [],
        item_targets=[(item, targets.get(item.pk)) for item in items],
    )


# The registrations of the year ------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationRow:
    organization: Organization
    registration: Registration | None
    visible: bool  # may this user see its contents
    openable: bool  # may this user open it from the list
    mine: bool

    @property
    def state(self) -> str:
        if self.registration is None:
            return "none"
        if self.registration.submitted_at:
            return "submitted"
        return "draft" if self.visible else "none"


@dataclass(frozen=True)
class RegistrationListPage:
    rows: list[RegistrationRow]
    my_org: Organization | None
    submitted: int
    deadline: datetime.date | None


def registration_list_page(pledge: Pledge, access: PledgeAccess) -> RegistrationListPage:
    """Members × registration (3 queries: registrations with their target counts, their
    titles, the members)."""
    registrations = {
        r.organization_id: r
        for r in Registration.objects.filter(pledge=pledge)
        .annotate(targets_count=Count("targets"))
        .select_related("updated_by")
        .prefetch_related("titles")
    }
    rows = []
    for org in members_of(pledge):
        found = registrations.get(org.pk)
        rows.append(
            RegistrationRow(
                organization=org,
                registration=found,
                visible=access.may_read_registration(org, found),
                openable=access.may_open_registration(org, found),
                mine=access.is_own(org),
            )
        )
    return RegistrationListPage(
        rows=rows,
        my_org=access.org,
        submitted=sum(1 for r in rows if r.state == "submitted"),
        deadline=pledge.registration_deadline,
    )

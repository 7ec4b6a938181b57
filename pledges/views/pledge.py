"""Pledge pages: the year, its contents and criteria, signing, registration.

Access: every member of a bloc reads its pledges (`_get_pledge_for_user`, 404 for
outsiders). The secretariat of the pledge's year writes (`rules.is_pledge_secretariat`,
403 for the other members): the `pledge_writer` decorator checks it and, for a closed
pledge, sends the user back to the pledge with a message instead of opening the form.
A member official signs and registers for their own organization (`rules.official_org`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from blocs.models import Organization, current_year
from blocs.rules import get_bloc_or_404
from blocs.rules import is_secretariat as bloc_secretariat
from portal.lib.http import GET_POST, year_param

from .. import selectors, services
from ..forms import pledge as f
from ..models import (
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Pledge,
    PledgeSignature,
    Registration,
)
from ._access import (
    CriterionRow,
    add_after_post,
    add_service_errors,
    check_secretariat,
    closed_notice,
    confirm_page,
    criteria_rows,
    delete_after_confirm,
    error_text,
    get_pledge_for_user,
    groups_total,
    is_secretariat,
    member_of,
    official_org,
    pick,
)

Status = Pledge.Status

# What moving on to a status means, shown on the confirmation page.
CONSEQUENCES = {
    Status.OPEN: gettext_lazy(
        "Members can now sign the pledge for their organization and register the titles "
        "and targets they aim for. Contents and criteria can still be corrected until it "
        "is signed."
    ),
    Status.SIGNED: gettext_lazy(
        "Signing ends: no more signatures can be added or removed, and the contents and the "
        "criteria with their points are fixed for the year."
    ),
    Status.SCORING: gettext_lazy(
        "Members can enter their scores against the criteria, with evidence; the "
        "secretariat verifies them."
    ),
    Status.CLOSED: gettext_lazy(
        "The year becomes read-only for everyone: scores, ranking, ballots and proposals. "
        "Correcting anything later needs reopening with a reason, kept in the history."
    ),
}


def pledge_writer(view):
    """Pass the pledge to a view only for its year's secretariat; a closed year stays shut."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        pledge = get_pledge_for_user(request, pk)
        check_secretariat(request, pledge)
        if pledge.is_closed:
            messages.error(request, closed_notice(pledge))
            return redirect(pledge)
        return view(request, pledge)

    return GET_POST(wrapper)


def _nav(pledge: Pledge, secretariat: bool, active: str) -> dict:
    return {"pledge": pledge, "bloc": pledge.bloc, "secretariat": secretariat, "active": active}


# The list of a bloc's years ----------------------------------------------------


@require_GET
def pledge_list(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, _access = get_bloc_or_404(request, pk)
    year = current_year()
    pledges = list(
        bloc.pledges.annotate(
            items_count=Count("items", distinct=True),
            signatures_count=Count("signatures", distinct=True),
        ).order_by("-year")
    )
    # This year's pledge, or next year's once this year has one (prepared in December).
    years = {p.year for p in pledges}
    target = next((y for y in (year, year + 1) if y not in years), None)
    can_create = target is not None and bloc_secretariat(request.user, bloc, target)
    context = {
        "bloc": bloc,
        "year": target,
        "pledges": pledges,
        "can_create": can_create,
        "can_copy": can_create and any(y < target for y in years),
    }
    return render(request, "pledges/pledge_list.html", context)


@GET_POST
def pledge_create(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, _access = get_bloc_or_404(request, pk)
    year = year_param(request, ahead=1)
    if not bloc_secretariat(request.user, bloc, year):
        raise PermissionDenied
    initial = {
        "year": year,
        "title": _("Emulation pledge of %(year)s") % {"year": year},
        "copy_previous": request.GET.get("copy") == "1",
    }
    form = f.PledgeCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not bloc_secretariat(request.user, bloc, data["year"]):
            form.add_error("year", _("You are not in the secretariat for that year."))
        else:
            try:
                pledge = _create(request, bloc, data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The pledge has been created as a draft."))
                return redirect(pledge)
    context = {"bloc": bloc, "form": form, "title": _("New pledge")}
    return render(request, "pledges/pledge_form.html", {**context, "submit": _("Create pledge")})


def _create(request: HttpRequest, bloc, data: dict) -> Pledge:
    if not data["copy_previous"]:
        return services.pledge_create(
            bloc=bloc, year=data["year"], title=data["title"], actor=request.user
        )
    with transaction.atomic():  # a refused title leaves no copied year behind
        pledge = services.pledge_copy_from_previous(
            bloc=bloc, year=data["year"], actor=request.user
        )
        if data["title"]:
            pledge = services.pledge_update_rules(
                pledge=pledge, title=data["title"], actor=request.user
            )
    return pledge


# The pledge page -----------------------------------------------------------------


@dataclass
class SignatureRow:
    organization: Organization
    signature: PledgeSignature | None


@dataclass
class PledgePage:
    pledge: Pledge
    items: list
    criteria: list[CriterionRow]
    groups_total: Decimal
    quotas: list[CommendationQuota]
    signatures: list[SignatureRow]
    signed: int
    steps: list[tuple[str, str, str]]
    rules: list[tuple[str, list[str]]] = field(default_factory=list)


def _steps(pledge: Pledge) -> list[tuple[str, str, str]]:
    """The status stepper: (label, value, done|current|todo)."""
    order = list(services.STATUS_ORDER)
    index = order.index(pledge.status)
    states = ["done"] * index + ["current"] + ["todo"] * (len(order) - index - 1)
    return [(Status(s).label, s, state) for s, state in zip(order, states, strict=True)]


def _points(value) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _vote_rule(pledge: Pledge) -> str:
    base = {
        Pledge.VoteBase.MEMBERS: _("all members of the bloc"),
        Pledge.VoteBase.PRESENT: _("the members present"),
        Pledge.VoteBase.VALID: _("the valid ballots"),
    }[pledge.vote_base]
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


def _rules(pledge: Pledge, quotas: list[CommendationQuota]) -> list[tuple[str, list[str]]]:
    """The year's rules in plain words: (term, [lines])."""

    def cap(value):
        if value is None:
            return _("no cap")
        return _("at most %(points)s points in all") % {"points": _points(value)}

    bands = [
        _("%(name)s: from %(min)s points") % {"name": b.get("name"), "min": b.get("min")}
        for b in pledge.classification_bands or []
    ]
    tie_breaks = [
        Pledge.TieBreak(v).label for v in pledge.tie_break_order or [] if v in Pledge.TieBreak
    ]
    leading = _("%(count)s unit(s), chosen by secret ballot among the members") % {
        "count": pledge.leading_units
    }
    quota_lines = [f"{q.title.name}: {_quota_text(q)}" for q in quotas]
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


def pledge_page(pledge: Pledge) -> PledgePage:
    """Everything the pledge page shows, in a fixed number of queries."""
    criteria = list(pledge.criteria.all())
    rows = criteria_rows(criteria)
    quotas = list(pledge.quotas.select_related("title"))
    signatures = {s.organization_id: s for s in pledge.signatures.select_related("meeting")}
    members = selectors.members_of(pledge)
    member_ids = {org.pk for org in members}
    signature_rows = [SignatureRow(org, signatures.get(org.pk)) for org in members]
    # A signature of an organization that has since left stays on record.
    extra = [s for org_id, s in signatures.items() if org_id not in member_ids]
    if extra:
        organizations = Organization.objects.in_bulk([s.organization_id for s in extra])
        signature_rows += [SignatureRow(organizations[s.organization_id], s) for s in extra]
    return PledgePage(
        pledge=pledge,
        items=list(pledge.items.all()),
        criteria=rows,
        groups_total=groups_total(rows),
        quotas=quotas,
        signatures=signature_rows,
        signed=sum(1 for r in signature_rows if r.signature),
        steps=_steps(pledge),
        rules=_rules(pledge, quotas),
    )


@require_GET
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    my_org = official_org(request, pledge)
    page = pledge_page(pledge)
    my_signature = next(
        (r.signature for r in page.signatures if my_org and r.organization.pk == my_org.pk), None
    )
    context = {
        **_nav(pledge, secretariat, "pledge"),
        "page": page,
        "my_org": my_org,
        "my_signature": my_signature,
        "next_status": services.next_status(pledge),
        # Signatures can be withdrawn while open: by the secretariat, or each for its own.
        "can_withdraw": pledge.status == Status.OPEN and (secretariat or my_signature is not None),
        "items_editable": services.items_editable(pledge),
        "criteria_editable": services.criteria_editable(pledge),
        "legal_basis": [line for line in pledge.legal_basis.splitlines() if line.strip()],
    }
    return render(request, "pledges/pledge_detail.html", context)


# Writing the pledge: rules, contents, criteria, status -------------------------------


@pledge_writer
def pledge_edit(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    """The rules of the year, its classification bands and commendation quotas: all of it
    is saved or none."""
    data = request.POST or None
    form = f.PledgeRulesForm(data, pledge=pledge, initial=f.PledgeRulesForm.initial_for(pledge))
    bands = f.BandFormSet(data, prefix="bands", initial=pledge.classification_bands or [])
    quotas = list(pledge.quotas.all())
    quota_forms = f.QuotaFormSet(
        data,
        prefix="quotas",
        initial=[_quota_initial(q) for q in quotas],
        form_kwargs={"titles": _quota_titles()},
    )
    forms_valid = data is not None and all(
        [form.is_valid(), bands.is_valid(), quota_forms.is_valid()]
    )
    if request.method == "POST" and forms_valid:
        try:
            with transaction.atomic():
                services.pledge_update_rules(
                    pledge=pledge,
                    classification_bands=f.band_rows(bands),
                    actor=request.user,
                    **form.cleaned_data,
                )
                _save_quotas(request, pledge, quotas, f.quota_rows(quota_forms))
        except ValidationError as exc:
            add_service_errors(form, exc)
            pledge.refresh_from_db()
        else:
            messages.success(request, _("The rules of the year have been saved."))
            return redirect(pledge)
    context = {**_nav(pledge, True, "pledge"), "form": form, "bands": bands}
    return render(request, "pledges/pledge_edit.html", {**context, "quotas": quota_forms})


def _quota_titles() -> list[EmulationTitle]:
    kinds = [EmulationTitle.Kind.TITLE, EmulationTitle.Kind.COMMENDATION]
    return list(EmulationTitle.objects.filter(is_active=True, kind__in=kinds))


def _quota_initial(quota: CommendationQuota) -> dict:
    fields = ("id", "title", "max_percent", "base", "max_count")
    initial = {name: getattr(quota, name) for name in fields}
    initial["title"] = quota.title_id
    return initial


def _save_quotas(request, pledge: Pledge, quotas: list[CommendationQuota], rows) -> None:
    existing = {quota.pk: quota for quota in quotas}
    for row in rows:
        old = existing.get(row.get("id"))
        if old is not None and (row.get("DELETE") or row["title"] != old.title):
            services.quota_delete(quota=old, actor=request.user)
        if row.get("DELETE") or row["title"] is None:
            continue
        services.quota_set(
            pledge=pledge,
            title=row["title"],
            max_percent=row["max_percent"],
            base=row["base"],
            max_count=row["max_count"],
            actor=request.user,
        )


def _frozen(request: HttpRequest, pledge: Pledge, message) -> HttpResponse:
    messages.error(request, str(message % {"status": pledge.get_status_display()}))
    return redirect(pledge)


@pledge_writer
def pledge_items(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    if not services.items_editable(pledge):
        return _frozen(request, pledge, services.ITEMS_FROZEN)
    initial = list(pledge.items.values("id", "order", "text"))
    formset = f.ItemFormSet(request.POST or None, prefix="items", initial=initial)
    if request.method == "POST" and formset.is_valid():
        try:
            services.pledge_save_items(pledge=pledge, rows=f.item_rows(formset), actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The contents of the pledge have been saved."))
            return redirect(pledge)
    context = {**_nav(pledge, True, "pledge"), "formset": formset}
    return render(request, "pledges/pledge_items.html", context)


def _criterion_param(request: HttpRequest, name: str, criteria: list[Criterion]):
    value = request.GET.get(name, "")
    return pick(criteria, value) if value else None


@pledge_writer
def pledge_criteria(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    """The criteria tree with one form to add a criterion, or to edit the one in ?edit=;
    ?delete= asks for confirmation first."""
    if not services.criteria_editable(pledge):
        return _frozen(request, pledge, services.CRITERIA_FROZEN)
    criteria = list(pledge.criteria.all())
    deleting = _criterion_param(request, "delete", criteria)
    if deleting is not None:
        return _criterion_delete(request, pledge, deleting, criteria)
    editing = _criterion_param(request, "edit", criteria)
    form = _criterion_form(request, pledge, criteria, editing)
    if request.method == "POST" and form.is_valid():
        try:
            _save_criterion(request, pledge, editing, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = (
                _("The criterion has been saved.")
                if editing
                else _("The criterion has been added.")
            )
            messages.success(request, done)
            return redirect("pledges:pledge_criteria", pledge.pk)
    rows = criteria_rows(criteria)
    context = {
        **_nav(pledge, True, "pledge"),
        "rows": rows,
        "groups_total": groups_total(rows),
        "form": form,
        "editing": editing,
    }
    return render(request, "pledges/pledge_criteria.html", context)


def _criterion_form(request, pledge: Pledge, criteria, editing) -> f.CriterionForm:
    """The form of the criterion being edited, or of a new one placed last."""
    initial = {"order": (max((c.order for c in criteria), default=0) + 1)}
    if editing is not None:
        initial = {name: getattr(editing, name) for name in f.CriterionForm.base_fields}
    return f.CriterionForm(
        request.POST or None,
        pledge=pledge,
        criteria=criteria,
        criterion=editing,
        initial=initial,
    )


def _save_criterion(request, pledge: Pledge, editing, data: dict) -> None:
    if editing is None:
        services.criterion_create(pledge=pledge, actor=request.user, **data)
    else:
        services.criterion_update(criterion=editing, actor=request.user, **data)


def _criterion_delete(request, pledge, criterion, criteria) -> HttpResponse:
    below = len(f._descendants(criteria, criterion)) - 1
    text = _("Delete the criterion %(code)s “%(text)s”?") % {
        "code": criterion.code,
        "text": criterion.text,
    }
    if below:
        text += " " + _("Its %(count)s sub-criteria are deleted with it.") % {"count": below}
    return delete_after_confirm(
        request,
        pledge,
        delete=lambda: services.criterion_delete(criterion=criterion, actor=request.user),
        done=_("The criterion has been deleted."),
        title=_("Delete criterion"),
        text=text,
        back=reverse("pledges:pledge_criteria", args=[pledge.pk]),
    )


@GET_POST
def pledge_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the pledge on by one status after confirmation; a closed one is reopened with
    a reason instead."""
    pledge = get_pledge_for_user(request, pk)
    check_secretariat(request, pledge)
    if pledge.is_closed:
        return _reopen(request, pledge)
    following = services.next_status(pledge)
    error = None
    if request.method == "POST":
        if request.POST.get("status") != following:  # moved on meanwhile, or a stale page
            messages.error(request, _("The status has changed meanwhile; check and try again."))
            return redirect(pledge)
        try:
            services.pledge_set_status(pledge=pledge, status=following, actor=request.user)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            messages.success(
                request,
                _("The pledge is now “%(status)s”.") % {"status": Status(following).label},
            )
            return redirect(pledge)
    return _status_confirm(request, pledge, following, error)


def _status_confirm(request, pledge: Pledge, following: str, error: str | None) -> HttpResponse:
    """What moving on means, with the members left unsigned when signing is to end."""
    label = Status(following).label
    warning = _unsigned_warning(pledge) if following == Status.SIGNED else ""
    return confirm_page(
        request,
        pledge,
        title=_("Move the pledge on to “%(status)s”") % {"status": label},
        text=CONSEQUENCES[following],
        submit=_("Confirm: %(status)s") % {"status": label},
        back=pledge.get_absolute_url(),
        hidden={"status": following},
        error=error,
        warning=warning,
    )


def _unsigned_warning(pledge: Pledge) -> str:
    """Before signing ends: say how many members have not signed (they no longer can)."""
    members = {org.pk for org in selectors.members_of(pledge)}
    signed = len(members & set(pledge.signatures.values_list("organization_id", flat=True)))
    if signed >= len(members):
        return ""
    return _(
        "Only %(signed)s of the %(members)s members have signed; the others can no longer "
        "sign once signing ends."
    ) % {"signed": signed, "members": len(members)}


def _reopen(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    form = f.ReopenForm(request.POST or None)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice="",
            forms=[form],
            save=lambda: services.pledge_reopen(
                pledge=pledge, actor=request.user, **form.cleaned_data
            ),
            done=_("The pledge is reopened for scoring."),
            back=pledge.get_absolute_url(),
        )
        if response is not None:
            return response
    return confirm_page(
        request,
        pledge,
        title=_("Reopen the closed pledge"),
        text=_(
            "Reopening brings the year back to scoring so that scores, ballots and proposals "
            "can be corrected. The reason is kept in the history."
        ),
        submit=_("Reopen"),
        back=pledge.get_absolute_url(),
        form=form,
    )


# Signing -----------------------------------------------------------------------------


def _official(user):
    return getattr(user, "official", None)


@GET_POST
def pledge_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """A member official signs for their own organization; with ?mode=record the
    secretariat records the signature of any member given at the launch meeting."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    my_org = official_org(request, pledge)
    if request.GET.get("delete"):
        return _signature_delete(request, pledge, request.GET["delete"], secretariat, my_org)
    recording = request.GET.get("mode") == "record" or my_org is None
    if recording and not secretariat:
        raise PermissionDenied
    members = selectors.members_of(pledge)
    member_ids = {org.pk for org in members}
    signatures = list(pledge.signatures.select_related("meeting"))
    signed_ids = {s.organization_id for s in signatures}
    unsigned = [org for org in members if org.pk not in signed_ids]
    form = _signature_form(request, pledge, recording, unsigned)
    if request.method == "POST" and form.is_valid():
        response = _sign(request, pledge, form, my_org)
        if response is not None:
            return response
    context = {
        **_nav(pledge, secretariat, "pledge"),
        "form": form,
        "recording": recording,
        "everyone_signed": recording and signed_ids >= member_ids,
        "my_org": my_org,
        "my_signature": next(
            (s for s in signatures if my_org and s.organization_id == my_org.pk), None
        ),
        "can_sign": pledge.status == Status.OPEN,
        "signed": len(signed_ids & member_ids),
        "members": len(members),
    }
    return render(request, "pledges/pledge_sign.html", context)


def _signature_form(request, pledge: Pledge, recording: bool, unsigned) -> f.SignatureForm:
    """Recording: any unsigned member, at the launch meeting by default. Signing for the
    own organization: the signer is the user, with their position."""
    if recording:
        initial = {"meeting": pledge.launch_meeting_id}
        return f.SignatureForm(
            request.POST or None, pledge=pledge, organizations=unsigned, initial=initial
        )
    official = _official(request.user)
    initial = {
        "signer_name": request.user.get_full_name(),
        "signer_position": official.position if official else "",
    }
    return f.SignatureForm(request.POST or None, pledge=pledge, initial=initial)


def _sign(request, pledge: Pledge, form: f.SignatureForm, my_org) -> HttpResponse | None:
    """Sign for the chosen member (recording) or the user's own; None shows the form
    again with the service's refusal."""
    data = dict(form.cleaned_data)
    organization = data.pop("organization", my_org)
    meeting = data.pop("meeting", None)
    try:
        services.pledge_sign(
            pledge=pledge,
            organization=organization,
            meeting=meeting,
            signed_at=meeting.starts_at if meeting else None,
            actor=request.user,
            **data,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(
        request,
        _("%(organization)s has signed the %(year)s pledge.")
        % {"organization": organization.name, "year": pledge.year},
    )
    return redirect(pledge)


def _signature_delete(request, pledge: Pledge, value: str, secretariat: bool, my_org):
    """Withdraw a signature while the pledge is open, after confirmation: the secretariat
    any member's, an official their own organization's."""
    signature = pick(pledge.signatures.select_related("organization", "meeting"), value)
    mine = my_org is not None and signature.organization_id == my_org.pk
    if not (secretariat or mine):
        raise PermissionDenied
    back = pledge.get_absolute_url() + "#signatures"
    if pledge.status != Status.OPEN:  # closed, or signing over: say why, change nothing
        locked = services.SIGNATURE_LOCKED % {"status": pledge.get_status_display()}
        messages.error(request, closed_notice(pledge) or str(locked))
        return redirect(back)
    organization = signature.organization
    text = _(
        "Withdraw the signature of %(organization)s (%(name)s, %(position)s, %(when)s)? "
        "The organization can sign again while the pledge is open for signing."
    ) % {
        "organization": organization.name,
        "name": signature.signer_name,
        "position": signature.signer_position,
        "when": date_format(timezone.localtime(signature.signed_at), "SHORT_DATETIME_FORMAT"),
    }
    return delete_after_confirm(
        request,
        pledge,
        delete=lambda: services.signature_delete(signature=signature, actor=request.user),
        done=_("The signature of %(organization)s has been withdrawn.")
        % {"organization": organization.name},
        title=_("Withdraw a signature"),
        text=text,
        back=back,
        submit=_("Withdraw the signature"),
    )


# Registration ------------------------------------------------------------------------


def _registration_of(pledge: Pledge, organization: Organization) -> Registration | None:
    return (
        Registration.objects.filter(pledge=pledge, organization=organization)
        .prefetch_related("titles", Prefetch("targets"))
        .first()
    )


@GET_POST
def registration(request: HttpRequest, pk: int) -> HttpResponse:
    """My organization's registration: titles aimed for and a target per content.
    The secretariat opens any member's with ?org=; other members only read submitted ones."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    my_org = official_org(request, pledge)
    members = selectors.members_of(pledge)
    org_param = request.GET.get("org", "")
    organization = member_of(pledge, org_param, members) if org_param else my_org
    if organization is None:
        return _choose_member(request, pledge, secretariat, members)
    found = _registration_of(pledge, organization)
    mine = my_org is not None and organization.pk == my_org.pk
    if not (mine or secretariat) and not (found and found.submitted_at):
        raise PermissionDenied
    late = _registration_late(pledge)
    writable = (mine or secretariat) and not pledge.is_closed and not late
    items = list(pledge.items.all())
    data = request.POST if writable and request.method == "POST" else None
    form, formset = _registration_forms(data, found, items)
    if request.method == "POST" and not writable:
        messages.error(request, _read_only_reason(pledge, late) or _("You cannot change it."))
    elif data is not None and form.is_valid() and formset.is_valid():
        response = _save_registration(request, pledge, organization, form, formset, mine)
        if response is not None:
            return response
    context = {
        **_nav(pledge, secretariat, "registrations"),
        **_registration_context(found, items, form, formset),
        "organization": organization,
        "mine": mine,
        "writable": writable,
        "read_only_reason": _read_only_reason(pledge, late) if mine or secretariat else "",
        "deadline": pledge.registration_deadline,
    }
    return render(request, "pledges/registration_form.html", context)


def _choose_member(request, pledge: Pledge, secretariat: bool, members) -> HttpResponse:
    """No organization of the user's own and no ?org=: the secretariat chooses a member."""
    if not secretariat:
        raise PermissionDenied
    context = {**_nav(pledge, secretariat, "registrations"), "members": members}
    return render(request, "pledges/registration_form.html", context)


def _registration_late(pledge: Pledge) -> bool:
    deadline = pledge.registration_deadline
    return deadline is not None and timezone.localdate() > deadline


def _targets_by_item(found: Registration | None) -> dict:
    return {t.item_id: t for t in found.targets.all()} if found else {}


def _registration_forms(data, found: Registration | None, items: list):
    """The titles-and-note form and a target row per content, filled from `found`."""
    titles = list(EmulationTitle.objects.filter(is_active=True))
    form = f.RegistrationForm(
        data,
        titles=titles,
        initial={
            "titles": [t.pk for t in found.titles.all()] if found else [],
            "note": found.note if found else "",
        },
    )
    targets = _targets_by_item(found)
    if data is not None:
        # One row per content, always: the row count is the server's, not the browser's
        # (a tampered management form would otherwise bind more or fewer rows than contents).
        data = data.copy()
        data["targets-TOTAL_FORMS"] = data["targets-INITIAL_FORMS"] = str(len(items))
    formset = f.TargetFormSet(
        data,
        prefix="targets",
        initial=[_target_initial(item, targets.get(item.pk)) for item in items],
        form_kwargs={"items": items},
    )
    return form, formset


def _save_registration(
    request, pledge: Pledge, organization, form, formset, mine: bool
) -> HttpResponse | None:
    """Save as a draft, or submit to the secretariat; None shows the form again with the
    service's refusal."""
    submit = "submit" in request.POST
    try:
        services.registration_save(
            pledge=pledge,
            organization=organization,
            titles=list(form.cleaned_data["titles"]),
            targets=f.target_rows(formset),
            note=form.cleaned_data["note"],
            submit=submit,
            actor=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    done = (
        _("The registration has been submitted to the secretariat.")
        if submit
        else _("The registration has been saved as a draft.")
    )
    messages.success(request, done)
    url = reverse("pledges:registration", args=[pledge.pk])
    return redirect(url if mine else f"{url}?org={organization.pk}")


def _registration_context(found: Registration | None, items: list, form, formset) -> dict:
    """The registration's forms and what it holds, row by row for the template."""
    targets = _targets_by_item(found)
    return {
        "registration": found,
        "form": form,
        "formset": formset,
        "rows": list(zip(items, formset.forms, strict=True)),
        "chosen_titles": list(found.titles.all()) if found else [],
        "item_targets": [(item, targets.get(item.pk)) for item in items],
    }


def _target_initial(item, target) -> dict:
    if target is None:
        return {"item": item}
    return {"item": item, "text": target.text, "number": target.number, "unit": target.unit}


def _read_only_reason(pledge: Pledge, late: bool) -> str:
    if pledge.is_closed:
        return closed_notice(pledge)
    if late:
        return str(
            services.REGISTRATION_CLOSED
            % {"year": pledge.year, "deadline": pledge.registration_deadline.strftime("%d/%m/%Y")}
        )
    return ""


@dataclass
class RegistrationRow:
    organization: Organization
    registration: Registration | None
    visible: bool  # may this user see its contents

    @property
    def state(self) -> str:
        if self.registration is None:
            return "none"
        if self.registration.submitted_at:
            return "submitted"
        return "draft" if self.visible else "none"


@require_GET
def registration_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Members × registration; the secretariat sees every one, the other members the
    submitted ones and their own."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    my_org = official_org(request, pledge)
    registrations = {
        r.organization_id: r
        for r in Registration.objects.filter(pledge=pledge)
        .annotate(targets_count=Count("targets"))
        .prefetch_related("titles")
    }
    rows = []
    for org in selectors.members_of(pledge):
        found = registrations.get(org.pk)
        mine = my_org is not None and org.pk == my_org.pk
        visible = secretariat or mine or bool(found and found.submitted_at)
        rows.append(RegistrationRow(org, found, visible))
    context = {
        **_nav(pledge, secretariat, "registrations"),
        "rows": rows,
        "my_org": my_org,
        "submitted": sum(1 for r in rows if r.state == "submitted"),
        "deadline": pledge.registration_deadline,
    }
    return render(request, "pledges/registration_list.html", context)

"""The year: a bloc's years, starting one, the pledge page, its rules, its status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from blocs.rules import access as bloc_access
from blocs.rules import get_bloc_or_404
from portal.lib.http import GET_POST, year_param

from ... import rules, selectors, services
from ...forms import pledge as f
from ...models import CommendationQuota, EmulationTitle, Pledge
from ...selectors import pledge_pages
from .._access import add_after_post, add_service_errors, confirm_page, error_text
from ._common import nav, pledge_writer

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


# A bloc's years ----------------------------------------------------------------------


@require_GET
def pledge_list(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, _access = get_bloc_or_404(request, pk)
    page = pledge_pages.pledge_list_page(bloc, request.user)
    return render(request, "pledges/pledge_list.html", pledge_pages.as_context(page))


@GET_POST
def pledge_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft for ?year= (this year or the next), or a copy of the latest earlier year."""
    year = year_param(request, ahead=1)
    bloc, _access = get_bloc_or_404(request, pk, need="write", year=year)
    initial = {
        "year": year,
        "title": _("Emulation pledge of %(year)s") % {"year": year},
        "copy_previous": request.GET.get("copy") == "1",
    }
    form = f.PledgeCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = bloc_access(request.user, bloc, form.cleaned_data["year"], readable=True)
        if not chosen.can_write:
            form.add_error("year", _("You are not in the secretariat for that year."))
        else:
            try:
                pledge = _create(request, bloc, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The pledge has been created as a draft."))
                _warn_legal_basis(request, pledge)
                return redirect(pledge)
    context = {"bloc": bloc, "form": form, "title": _("New pledge"), "submit": _("Create pledge")}
    return render(request, "pledges/pledge_form.html", context)


def _warn_legal_basis(request: HttpRequest, pledge: Pledge) -> None:
    """A year copied from before the 2022 law: its legal basis was replaced, say so."""
    source = pledge.copied_from
    if source is not None and services.legal_basis_changed(source.year, pledge.year):
        text = services.LEGAL_BASIS_CHANGED % {"source": source.year, "year": pledge.year}
        messages.warning(request, text)


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


# The pledge page ---------------------------------------------------------------------


@require_GET
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge, access = rules.get_pledge_or_404(request, pk)
    page = pledge_pages.pledge_page(pledge, access)
    context = {**nav(access, "pledge"), **pledge_pages.as_context(page)}
    return render(request, "pledges/pledge_detail.html", context)


# The rules of the year ---------------------------------------------------------------


@pledge_writer
def pledge_edit(request: HttpRequest, pledge: Pledge, access) -> HttpResponse:
    """The rules of the year, its classification bands and commendation quotas: all of it
    is saved or none."""
    form, bands, quotas, quota_forms = _rules_forms(request.POST or None, pledge)
    if request.method == "POST" and all(
        [form.is_valid(), bands.is_valid(), quota_forms.is_valid()]
    ):
        before = {name: getattr(pledge, name) for name in DEADLINES}
        try:
            _save_rules(request, pledge, form, bands, quotas, quota_forms)
        except ValidationError as exc:
            add_service_errors(form, exc)
            pledge.refresh_from_db()
        else:
            messages.success(request, _("The rules of the year have been saved."))
            today = timezone.localdate()
            for warning in services.past_deadline_warnings(form.cleaned_data, before, today):
                messages.warning(request, warning)
            return redirect(pledge)
    context = {**nav(access, "pledge"), "form": form, "bands": bands, "quotas": quota_forms}
    return render(request, "pledges/pledge_edit.html", context)


DEADLINES = ("registration_deadline", "scoring_deadline")


def _rules_forms(data, pledge: Pledge):
    form = f.PledgeRulesForm(data, pledge=pledge, initial=f.PledgeRulesForm.initial_for(pledge))
    bands = f.BandFormSet(data, prefix="bands", initial=pledge.classification_bands or [])
    quotas = list(pledge.quotas.all())
    quota_forms = f.QuotaFormSet(
        data,
        prefix="quotas",
        initial=[_quota_initial(q) for q in quotas],
        form_kwargs={"titles": _quota_titles()},
    )
    return form, bands, quotas, quota_forms


@transaction.atomic
def _save_rules(request, pledge: Pledge, form, bands, quotas, quota_forms) -> None:
    services.pledge_update_rules(
        pledge=pledge,
        classification_bands=f.band_rows(bands),
        actor=request.user,
        **form.cleaned_data,
    )
    _save_quotas(request, pledge, quotas, f.quota_rows(quota_forms))


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


# The status --------------------------------------------------------------------------


@GET_POST
def pledge_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the pledge on by one status after confirmation; a closed one is reopened with
    a reason instead."""
    pledge, access = rules.get_pledge_or_404(request, pk, need="manage")
    if pledge.is_closed:
        return _reopen(request, pledge, access)
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
            label = Status(following).label
            messages.success(request, _("The pledge is now “%(status)s”.") % {"status": label})
            return redirect(pledge)
    return _status_confirm(request, access, following, error)


def _status_confirm(request, access, following: str, error: str | None) -> HttpResponse:
    """What moving on means, with the members left unsigned when signing is to end."""
    pledge = access.pledge
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
        access=access,
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


def _reopen(request: HttpRequest, pledge: Pledge, access) -> HttpResponse:
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
        access=access,
        form=form,
    )

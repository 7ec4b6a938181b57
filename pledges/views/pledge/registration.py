"""Registration: the titles a member aims for and a target per content; the list of the
year's registrations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.lib.http import GET_POST
from portal.lib.spreadsheets import xlsx_response

from ... import rules, selectors, services
from ...forms import pledge as f
from ...selectors import pledge_pages
from ...xlsx import registrations_xlsx as registrations_xlsx_file
from .._access import add_service_errors, member_of
from ._common import nav


@GET_POST
def registration(request: HttpRequest, pk: int) -> HttpResponse:
    """My organization's registration: titles aimed for and a target per content.
    The secretariat opens any member's with ?org=; other members only read submitted ones."""
    pledge, access = rules.get_pledge_or_404(request, pk)
    members = selectors.members_of(pledge)
    org_param = request.GET.get("org", "")
    organization = member_of(pledge, org_param, members) if org_param else access.org
    if organization is None:
        return _choose_member(request, access, members)
    page = pledge_pages.registration_page(pledge, access, organization)
    if not access.may_read_registration(organization, page.registration):
        raise PermissionDenied
    data = request.POST if page.writable and request.method == "POST" else None
    form, formset = _registration_forms(data, page)
    if request.method == "POST" and not page.writable:
        messages.error(request, page.read_only_reason or _("You cannot change it."))
    elif data is not None and form.is_valid() and formset.is_valid():
        response = _save_registration(request, page, form, formset)
        if response is not None:
            return response
    context = {**nav(access, "registrations"), **pledge_pages.as_context(page), "form": form}
    context |= {"formset": formset, "rows": list(zip(page.items, formset.forms, strict=True))}
    return render(request, "pledges/registration_form.html", context)


def _choose_member(request, access, members) -> HttpResponse:
    """No organization of the user's own and no ?org=: the secretariat chooses a member."""
    if not access.secretariat:
        raise PermissionDenied
    context = {**nav(access, "registrations"), "members": members}
    return render(request, "pledges/registration_form.html", context)


def _registration_forms(data, page: pledge_pages.RegistrationPage):
    """The titles-and-note form and a target row per content, filled from the registration."""
    found = page.registration
    form = f.RegistrationForm(
        data,
        titles=page.titles,
        initial={
            "titles": [t.pk for t in found.titles.all()] if found else [],
            "note": found.note if found else "",
        },
    )
    if data is not None:
        # One row per content, always: the row count is the server's, not the browser's
        # (a tampered management form would otherwise bind more or fewer rows than contents).
        data = data.copy()
        data["targets-TOTAL_FORMS"] = data["targets-INITIAL_FORMS"] = str(len(page.items))
    formset = f.TargetFormSet(
        data,
        prefix="targets",
        initial=[_target_initial(item, target) for item, target in page.item_targets],
        form_kwargs={"items": page.items},
    )
    return form, formset


def _target_initial(item, target) -> dict:
    if target is None:
        return {"item": item}
    return {"item": item, "text": target.text, "number": target.number, "unit": target.unit}


def _save_registration(request, page, form, formset) -> HttpResponse | None:
    """Save as a draft, or submit to the secretariat; None shows the form again with the
    service's refusal."""
    pledge, organization = page.pledge, page.organization
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
    return redirect(url if page.mine else f"{url}?org={organization.pk}")


@require_GET
def registration_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Members × registration; the secretariat sees every one, the other members the
    submitted ones and their own."""
    pledge, access = rules.get_pledge_or_404(request, pk)
    page = pledge_pages.registration_list_page(pledge, access)
    context = {**nav(access, "registrations"), **pledge_pages.as_context(page)}
    return render(request, "pledges/registration_list.html", context)


@require_GET
def registrations_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The registration list as .xlsx: the rows the user reads on the page, no more."""
    pledge, access = rules.get_pledge_or_404(request, pk)
    page = pledge_pages.registration_list_page(pledge, access)
    content = registrations_xlsx_file(pledge, page.rows)
    return xlsx_response(content, f"dang-ky-thi-dua-{pledge.year}-khoi-{pledge.bloc_id}.xlsx")

"""Signing the pledge: a member official for their own organization, the secretariat
recording any member's signature given at the launch meeting; withdrawing a signature
while the pledge is open for signing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.lib.http import GET_POST
from portal.lib.people import full_name

from ... import rules, services
from ...forms import pledge as f
from ...models import Pledge
from ...selectors import pledge_pages
from .._access import add_service_errors, closed_notice, delete_after_confirm, pick
from ._common import nav


@GET_POST
def pledge_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """A member official signs for their own organization; with ?mode=record the
    secretariat records the signature of any member given at the launch meeting;
    ?delete= withdraws a signature after confirmation."""
    pledge, access = rules.get_pledge_or_404(request, pk)
    if request.GET.get("delete"):
        return _signature_delete(request, access, request.GET["delete"])
    recording = request.GET.get("mode") == "record" or access.org is None
    if recording and not access.secretariat:
        raise PermissionDenied
    page = pledge_pages.signing_page(pledge, access, recording=recording)
    form = _signature_form(request, pledge, page)
    if request.method == "POST" and form.is_valid():
        response = _sign(request, access, form)
        if response is not None:
            return response
    context = {**nav(access, "pledge"), **pledge_pages.as_context(page), "form": form}
    return render(request, "pledges/pledge_sign.html", context)


def _signature_form(request, pledge: Pledge, page) -> f.SignatureForm:
    """Recording: any unsigned member, at the launch meeting by default. Signing for the
    own organization: the signer is the user, with their position."""
    if page.recording:
        initial = {"meeting": pledge.launch_meeting_id}
        return f.SignatureForm(
            request.POST or None, pledge=pledge, organizations=page.unsigned, initial=initial
        )
    official = getattr(request.user, "official", None)
    initial = {
        "signer_name": full_name(request.user),
        "signer_position": official.position if official else "",
    }
    return f.SignatureForm(request.POST or None, pledge=pledge, initial=initial)


def _sign(request, access, form: f.SignatureForm) -> HttpResponse | None:
    """Sign for the chosen member (recording) or the user's own; None shows the form
    again with the service's refusal."""
    pledge = access.pledge
    data = dict(form.cleaned_data)
    organization = data.pop("organization", access.org)
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


def _signature_delete(request, access, value: str) -> HttpResponse:
    """Withdraw a signature while the pledge is open, after confirmation: the secretariat
    any member's, an official their own organization's."""
    pledge = access.pledge
    signature = pick(pledge.signatures.select_related("organization", "meeting"), value)
    if not access.acts_for(signature.organization):
        raise PermissionDenied
    back = pledge.get_absolute_url() + "#signatures"
    if not access.may_withdraw(signature):  # closed, or signing over: say why, change nothing
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
        access=access,
    )

"""What the pledge pages share: a member of the year by id, the closed-year notice, service
errors as text, the one confirmation page and the POST of the pages that add a line.

Access is the policy's (`pledges.rules.get_pledge_or_404` and `PledgeAccess`); nothing here
decides a role. Nothing is written to a closed pledge (`closed_notice`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from blocs.models import Organization
from portal.lib.forms import add_service_errors

from .. import rules, selectors, services
from ..models import Pledge


def pick(objects, pk):
    """The object of the list with that id (as typed in a URL or a form); 404 otherwise."""
    found = next((obj for obj in objects if str(obj.pk) == str(pk)), None)
    if found is None:
        raise Http404
    return found


def member_of(pledge: Pledge, org_pk, members: list[Organization] | None = None) -> Organization:
    """A member of the pledge's year by id; 404 for anything else."""
    return pick(selectors.members_of(pledge) if members is None else members, org_pk)


def closed_notice(pledge: Pledge) -> str:
    """The closed-year message, or "" while the pledge can be written to."""
    try:
        services.check_writable(pledge)
    except ValidationError as exc:
        return error_text(exc)
    return ""


# Errors ----------------------------------------------------------------------------------


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# The criteria tree as rows: now a read of `pledges.selectors.criteria`, importable from
# here as before.

# The one confirmation page ---------------------------------------------------------------


def confirm_page(
    request: HttpRequest,
    pledge: Pledge,
    *,
    title: str,
    text: str,
    submit: str,
    back: str,
    active: str = "pledge",
    danger: bool = False,
    hidden: dict | None = None,
    access: rules.PledgeAccess,
    **extra,
) -> HttpResponse:
    """Ask before a step that cannot be undone: a POST to the same URL does it.
    `hidden` fields go with the POST; `extra` (form, error) goes to the template; `access`
    (the user's) shows the secretariat's menu."""
    secretariat = access.secretariat
    context = {
        "pledge": pledge,
        "bloc": pledge.bloc,
        "access": access,
        "secretariat": secretariat,
        "active": active,
        "title": title,
        "text": text,
        "submit": submit,
        "back": back,
        "danger": danger,
        "hidden": hidden or {},
        **extra,
    }
    return render(request, "pledges/pledge_confirm.html", context)


def delete_after_confirm(
    request: HttpRequest,
    pledge: Pledge,
    *,
    delete,
    done: str,
    title: str,
    text: str,
    back: str,
    active: str = "pledge",
    submit: str | None = None,
    hidden: dict | None = None,
    access: rules.PledgeAccess,
) -> HttpResponse:
    """GET asks (`text`), POST calls `delete()` and goes `back` with `done` or the
    service's refusal."""
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, done)
        return redirect(back)
    return confirm_page(
        request,
        pledge,
        title=title,
        text=text,
        submit=submit or _("Delete"),
        back=back,
        active=active,
        danger=True,
        hidden=hidden,
        access=access,
    )


def add_after_post(
    request: HttpRequest, *, notice: str, forms: list, save, done: str, back: str
) -> HttpResponse | None:
    """The POST of a page whose forms a service saves (adding a ballot, a proposal, a
    bonus or penalty line; reopening with a reason): refused with `notice` when there is
    one (a closed year); else, once every form is valid, `save()` and go `back` with
    `done`. None shows the page again with the errors (a service's refusal goes on the
    first form)."""
    if notice:
        messages.error(request, notice)
        return redirect(back)
    if all(form.is_valid() for form in forms):
        try:
            save()
        except ValidationError as exc:
            add_service_errors(forms[0], exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return None

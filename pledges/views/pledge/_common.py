"""What the pledge pages share: the navigation's context and the secretariat's writer pages."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.lib.http import GET_POST

from ...models import Pledge
from ...rules import PledgeAccess, get_pledge_or_404
from .._access import closed_notice


def nav(access: PledgeAccess, active: str) -> dict:
    """The context of `pledges/_pledge_nav.html` (and the access value for the page)."""
    pledge = access.pledge
    return {
        "pledge": pledge,
        "bloc": pledge.bloc,
        "access": access,
        "secretariat": access.secretariat,
        "active": active,
    }


def pledge_writer(view):
    """Pass the pledge and the access to a view only for its year's secretariat (403 for
    the other members); a closed year sends the user back to the pledge with a message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        pledge, access = get_pledge_or_404(request, pk, need="manage")
        if pledge.is_closed:
            messages.error(request, closed_notice(pledge))
            return redirect(pledge)
        return view(request, pledge, access)

    return GET_POST(wrapper)


def frozen(request: HttpRequest, pledge: Pledge, message) -> HttpResponse:
    """Contents or criteria fixed since signing: back to the pledge with `message`."""
    messages.error(request, str(message % {"status": pledge.get_status_display()}))
    return redirect(pledge)

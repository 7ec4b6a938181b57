"""The policy's answers a results-side view already has, shared with the pages' common
helpers (`_access.confirm_page` shows the secretariat's menu and asks for it through
`_access.is_secretariat`, which keeps its answer on the request)."""

from __future__ import annotations

from django.http import HttpRequest

from ..rules import PledgeAccess


def remember(request: HttpRequest, found: PledgeAccess) -> PledgeAccess:
    """Give the confirmation page the answer this request already has, instead of asking
    the policy a second time."""
    request.__dict__.setdefault("_pledge_secretariat", {})[found.pledge.pk] = found.secretariat
    return found

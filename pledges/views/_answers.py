"""The policy's answers a results-side view already has, shared with the pages' common
helpers (`_access.confirm_page` shows the secretariat's menu and asks for it through
`_access.is_secretariat`, which keeps its answer on the request)."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import Pledge
from ..rules import PledgeAccess


def remember(request: HttpRequest, pledge: Pledge, found: PledgeAccess):
    """Give the confirmation page the answer this request already has, instead of asking
    the policy a second time; returns (pledge, found) as `get_pledge_or_404` does."""
    request.__dict__.setdefault("_pledge_secretariat", {})[pledge.pk] = found.secretariat
    return pledge, found

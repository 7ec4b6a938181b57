"""Pledge pages: the year (`year.py`), its contents and criteria (`contents.py`), signing
(`signing.py`), registration (`registration.py`).

Every page gets its pledge from the policy (`pledges.rules.get_pledge_or_404`, or
`blocs.rules.get_bloc_or_404` for a bloc's years), shows a read model of
`pledges.selectors.pledge_pages` and has a service write; templates read the same access
value (`access`, and `secretariat` for the shared navigation).
"""

from .contents import pledge_criteria, pledge_items
from .registration import registration, registration_list, registrations_xlsx
from .signing import pledge_sign
from .year import pledge_create, pledge_detail, pledge_edit, pledge_list, pledge_status

__all__ = [
    "pledge_create",
    "pledge_criteria",
    "pledge_detail",
    "pledge_edit",
    "pledge_items",
    "pledge_list",
    "pledge_sign",
    "pledge_status",
    "registration",
    "registration_list",
    "registrations_xlsx",
]

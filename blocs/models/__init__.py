"""The blocs app's models: who and when (`blocs.py`), meetings and their records
(`meetings.py`). Import them from here."""

from portal.lib.dates import current_year

from .blocs import (
    Bloc,
    BlocQuerySet,
    ChairTerm,
    CouncilAssignment,
    Membership,
    MembershipQuerySet,
    Official,
    Organization,
    OrganizationQuerySet,
    ReadSpan,
    SecretaryAssignment,
    YearSpan,
    YearSpanQuerySet,
    held_bloc_ids,
    official_of,
    read_spans,
    readable_years,
)
from .meetings import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingDecision,
    MeetingPerson,
    MeetingQuerySet,
)

__all__ = [
    "AgendaItem",
    "Attendance",
    "Bloc",
    "BlocQuerySet",
    "ChairTerm",
    "CouncilAssignment",
    "Meeting",
    "MeetingAttachment",
    "MeetingDecision",
    "MeetingPerson",
    "MeetingQuerySet",
    "Membership",
    "MembershipQuerySet",
    "Official",
    "Organization",
    "OrganizationQuerySet",
    "ReadSpan",
    "SecretaryAssignment",
    "YearSpan",
    "YearSpanQuerySet",
    "current_year",
    "held_bloc_ids",
    "official_of",
    "read_spans",
    "readable_years",
]

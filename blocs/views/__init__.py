"""Bloc pages (`blocs.py`) and meeting pages (`meetings.py`)."""

from .blocs import bloc_detail, bloc_edit, bloc_list, organization_detail, search
from .meetings import (
    attachment_add,
    attachment_delete,
    attachment_download,
    bloc_ics,
    meeting_approve,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_elect,
    meeting_hold,
    meeting_ics,
    meeting_list,
    meeting_membership,
    meeting_record,
    meeting_reopen,
)

__all__ = [
    "attachment_add",
    "attachment_delete",
    "attachment_download",
    "bloc_detail",
    "bloc_edit",
    "bloc_ics",
    "bloc_list",
    "meeting_approve",
    "meeting_create",
    "meeting_detail",
    "meeting_edit",
    "meeting_elect",
    "meeting_hold",
    "meeting_ics",
    "meeting_list",
    "meeting_membership",
    "meeting_record",
    "meeting_reopen",
    "organization_detail",
    "search",
]

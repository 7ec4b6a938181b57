"""Writes with rules for the pledge side of the emulation year, by topic:

- `year.py`: what every write shares: a closed pledge refuses every write (`check_writable`),
  the status order, members and meetings of the year, the shared messages;
- `year_rules.py`: creating a year (or copying last year's), its rules and quotas;
- `contents.py`: the contents; `criteria.py`: the criteria tree and its pure checks;
- `status.py`: moving the year on, reopening it;
- `signing.py`: signatures; `registration.py`: the members' registrations.

Every function runs in one transaction, validates before it writes, raises ValidationError
with the module-level messages, and records the actor in the audit history. Writes on behalf
of a person take the actor and refuse what `pledges.rules` refuses (PermissionDenied).

This module re-exports all of it under its former names (`from .pledges import
check_writable` keeps working); `pledges.services` exports the same.
"""

from __future__ import annotations

from .contents import (  # noqa: F401
    ITEM_NOT_IN_PLEDGE,
    ITEM_TEXT_REQUIRED,
    pledge_save_items,
)
from .criteria import (  # noqa: F401
    CHILDREN_OVER_PARENT,
    CODE_REQUIRED,
    CODE_TAKEN,
    CRITERION_CYCLE,
    CRITERION_FIELDS,
    CRITERION_TOO_DEEP,
    MAX_CRITERIA_DEPTH,
    MAX_POINTS_INVALID,
    PARENT_NOT_IN_PLEDGE,
    check_criteria_tree,
    criteria_depths,
    criterion_create,
    criterion_delete,
    criterion_update,
)
from .registration import (  # noqa: F401
    REGISTRATION_CLOSED,
    TARGET_NEEDS_TEXT,
    TARGET_NUMBER_INVALID,
    TARGET_TWICE,
    TITLE_INACTIVE,
    check_registration_open,
    registration_late,
    registration_save,
)
from .signing import (  # noqa: F401
    ALREADY_SIGNED,
    SIGNATURE_LOCKED,
    SIGNER_REQUIRED,
    SIGNING_NOT_OPEN,
    pledge_sign,
    signature_delete,
)
from .status import (  # noqa: F401
    REOPEN_NEEDS_REASON,
    REOPEN_NOT_CLOSED,
    STATUS_NOT_NEXT,
    pledge_reopen,
    pledge_set_status,
)
from .year import (  # noqa: F401
    CAP_NEGATIVE,
    CRITERIA_FROZEN,
    ITEMS_FROZEN,
    MEETING_NOT_OF_PLEDGE,
    NOT_A_MEMBER,
    OPEN_NEEDS_CRITERIA,
    OPEN_NEEDS_ITEMS,
    PLEDGE_CLOSED,
    STATUS_ORDER,
    check_writable,
    criteria_editable,
    items_editable,
    next_status,
)
from .year_rules import (  # noqa: F401
    BAND_INVALID,
    BANDS_NOT_A_LIST,
    BANDS_NOT_DESCENDING,
    COPIED_RULE_FIELDS,
    LEADING_UNITS_MIN,
    NO_PREVIOUS_PLEDGE,
    PLEDGE_EXISTS,
    QUOTA_EMPTY,
    QUOTA_PERCENT_RANGE,
    RULE_FIELDS,
    TIE_BREAK_INVALID,
    TIE_BREAK_NOT_A_LIST,
    TIE_BREAK_TWICE,
    TITLE_REQUIRED,
    VOTE_THRESHOLD_RANGE,
    YEAR_OUT_OF_RANGE,
    check_pledge_rules,
    check_pledge_year,
    check_quota,
    pledge_copy_from_previous,
    pledge_create,
    pledge_update_rules,
    quota_delete,
    quota_set,
)

__all__ = [
    # messages
    "ALREADY_SIGNED",
    "BAND_INVALID",
    "BANDS_NOT_A_LIST",
    "BANDS_NOT_DESCENDING",
    "CAP_NEGATIVE",
    "CHILDREN_OVER_PARENT",
    "CODE_REQUIRED",
    "CODE_TAKEN",
    "CRITERIA_FROZEN",
    "CRITERION_CYCLE",
    "CRITERION_TOO_DEEP",
    "ITEM_NOT_IN_PLEDGE",
    "ITEM_TEXT_REQUIRED",
    "ITEMS_FROZEN",
    "LEADING_UNITS_MIN",
    "MAX_POINTS_INVALID",
    "MEETING_NOT_OF_PLEDGE",
    "NO_PREVIOUS_PLEDGE",
    "NOT_A_MEMBER",
    "OPEN_NEEDS_CRITERIA",
    "OPEN_NEEDS_ITEMS",
    "PARENT_NOT_IN_PLEDGE",
    "PLEDGE_CLOSED",
    "PLEDGE_EXISTS",
    "QUOTA_EMPTY",
    "QUOTA_PERCENT_RANGE",
    "REGISTRATION_CLOSED",
    "REOPEN_NEEDS_REASON",
    "REOPEN_NOT_CLOSED",
    "SIGNATURE_LOCKED",
    "SIGNER_REQUIRED",
    "SIGNING_NOT_OPEN",
    "STATUS_NOT_NEXT",
    "TARGET_NEEDS_TEXT",
    "TARGET_NUMBER_INVALID",
    "TARGET_TWICE",
    "TIE_BREAK_INVALID",
    "TIE_BREAK_NOT_A_LIST",
    "TIE_BREAK_TWICE",
    "TITLE_INACTIVE",
    "TITLE_REQUIRED",
    "VOTE_THRESHOLD_RANGE",
    "YEAR_OUT_OF_RANGE",
    # constants
    "CRITERION_FIELDS",
    "MAX_CRITERIA_DEPTH",
    "RULE_FIELDS",
    "STATUS_ORDER",
    # functions
    "check_criteria_tree",
    "check_pledge_rules",
    "check_pledge_year",
    "check_quota",
    "check_registration_open",
    "check_writable",
    "criteria_depths",
    "criteria_editable",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
    "items_editable",
    "next_status",
    "pledge_copy_from_previous",
    "pledge_create",
    "pledge_reopen",
    "pledge_save_items",
    "pledge_set_status",
    "pledge_sign",
    "pledge_update_rules",
    "quota_delete",
    "quota_set",
    "registration_late",
    "registration_save",
    "signature_delete",
]

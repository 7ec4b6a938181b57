"""How the portal names a person: the Vietnamese way, family name first.

Accounts keep Django's two name fields. `last_name` is the family and middle names ("Họ và tên
đệm": "Trần Thị") and `first_name` the given name ("Tên": "Hoa"). Two fields rather than one
"Họ và tên" field because Vietnamese lists sort by the given name first, which one field cannot
tell apart reliably ("Nguyễn Văn Tâm An"?), and because Django's admin, auth forms and
third-party apps all read these two fields.
"""

from __future__ import annotations

from typing import Any

from portal.lib.text import nfc, sort_key


def full_name(user: Any) -> str:
    """ "Trần Thị Hoa": family and middle names, then the given name; "" when the account
    has no name (what a signature is pre-filled with)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return ""
    return " ".join(part for part in (nfc(user.last_name), nfc(user.first_name)) if part)


def person_name(user: Any) -> str:
    """How the portal shows a person: the full name, or the username of an account without
    a name; "" for nobody."""
    if user is None or not getattr(user, "is_authenticated", True):
        return ""
    return full_name(user) or user.get_username()


def person_sort_key(user: Any) -> tuple[str, str, str]:
    """Vietnamese order of people: by given name, then family and middle names."""
    return (sort_key(user.first_name), sort_key(user.last_name), user.get_username())

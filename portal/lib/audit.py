"""The account events the history records: a password change or reset is a history row of
the user with its reason and its author, never the secret (the history of users leaves the
password hash out: blocs.models registers it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

PASSWORD_CHANGED = gettext_noop("Password changed")
PASSWORD_RESET = gettext_noop("Password reset through the e-mailed link")
PASSWORD_SET_BY = gettext_noop("Password set by %(actor)s")


def note_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of the user model: `set_password()` leaves the raw password in `_password`
    until the save; the history row that save makes then says what happened and who did it.
    A reset through the e-mailed link has no logged-in user: its author is the account's
    owner, whom the link proved."""
    if getattr(instance, "_password", None) is None or instance.pk is None:
        return
    request = getattr(HistoricalRecords.context, "request", None)
    actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        instance._change_reason = PASSWORD_RESET if request is not None else PASSWORD_CHANGED
        instance._history_user = instance if request is not None else None
    elif actor.pk == instance.pk:
        instance._change_reason = PASSWORD_CHANGED
    else:
        instance._change_reason = PASSWORD_SET_BY % {"actor": actor.get_username()}

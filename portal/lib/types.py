"""Names for the people the code acts for, so that signatures say who is meant."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.utils.functional import Promise

# Whoever makes a request: a signed-in user or an anonymous visitor.
Person: TypeAlias = "User | AnonymousUser"
# On whose behalf a service writes; None is the system itself (a command, a task, the demo).
Actor: TypeAlias = "User | None"
# A message: a plain string or a lazily translated one (gettext_lazy).
StrOrPromise: TypeAlias = "str | Promise"

"""Writes with rules for blocs, by topic: who and when (`memberships.py`), meetings and
their records (`meetings.py`). Import from here."""

from .meetings import *  # noqa: F403
from .memberships import *  # noqa: F403

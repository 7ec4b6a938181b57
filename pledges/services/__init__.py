"""Writes with rules for the emulation year, by topic: the pledge itself (`pledges.py`),
scores (`scoring.py`), ballots and proposals (`ballots.py`). Import from here."""

from .ballots import *  # noqa: F403
from .pledges import *  # noqa: F403
from .scoring import *  # noqa: F403

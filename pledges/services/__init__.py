"""Writes with rules for the emulation year, by topic: the pledge itself (`pledges.py`),
score sheets and scores (`scoring.py`), submitting and sending back (`submission.py`),
evidence and the save of a sheet with its files (`evidence.py`), bonus and penalty lines
(`adjustments.py`), ballots and proposals (`ballots.py`). Import from here."""

from .adjustments import *  # noqa: F403
from .ballots import *  # noqa: F403
from .evidence import *  # noqa: F403
from .pledges import *  # noqa: F403
from .scoring import *  # noqa: F403
from .submission import *  # noqa: F403

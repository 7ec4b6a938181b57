"""Writes with rules for the emulation year, by topic. The pledge side: what every write
shares (`year.py`: a closed year refuses every write, the status order, the shared messages),
creating a year and its rules and quotas (`year_rules.py`), the contents (`contents.py`), the
criteria tree (`criteria.py`), moving the year on (`status.py`), signatures (`signing.py`),
registrations (`registration.py`). The results side: score sheets and scores (`scoring.py`),
submitting and sending back (`submission.py`), evidence and the save of a sheet with its files
(`evidence.py`), bonus and penalty lines (`adjustments.py`), ballots and proposals
(`ballots.py`); the council's decisions, holds and quotas across blocs (`council.py`).

Every function runs in one transaction, validates before it writes, raises ValidationError
with the module-level messages, and records the actor in the audit history; writes on behalf
of a person take the actor and refuse what `pledges.rules` refuses (PermissionDenied).
Import from here."""

from .adjustments import *  # noqa: F403
from .ballots import *  # noqa: F403
from .contents import *  # noqa: F403
from .council import *  # noqa: F403
from .criteria import *  # noqa: F403
from .evidence import *  # noqa: F403
from .registration import *  # noqa: F403
from .scoring import *  # noqa: F403
from .signing import *  # noqa: F403
from .status import *  # noqa: F403
from .submission import *  # noqa: F403
from .year import *  # noqa: F403
from .year_rules import *  # noqa: F403

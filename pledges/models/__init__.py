"""What a bloc commits to in a year and how its members did.

A `Pledge` is the bloc's emulation year: its contents, its criteria tree and the rules
the bloc set for that year (scoring method, bonus cap, classification bands, tie-break
order, vote threshold and base, number of leading units, quotas, legal basis). Every
number here is configuration of that bloc and year, never a constant in the code.

Scores are entered on score sheets (one per scored member, round and scorer); the
ranking is computed from them by `pledges.ranking`, never typed in.
"""

from .ballots import Ballot, BallotCandidate, Proposal
from .council import CouncilDecision, CouncilQuota, ProposalHold
from .scoring import Adjustment, Evidence, Score, ScoreSheet
from .year import (
    POINTS,
    ZERO,
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Pledge,
    PledgeItem,
    PledgeQuerySet,
    PledgeSignature,
    Registration,
    RegistrationTarget,
)

__all__ = [
    "POINTS",
    "ZERO",
    "Adjustment",
    "Ballot",
    "BallotCandidate",
    "CommendationQuota",
    "CouncilDecision",
    "CouncilQuota",
    "Criterion",
    "EmulationTitle",
    "Evidence",
    "Pledge",
    "PledgeItem",
    "PledgeQuerySet",
    "PledgeSignature",
    "Proposal",
    "ProposalHold",
    "Registration",
    "RegistrationTarget",
    "Score",
    "ScoreSheet",
]

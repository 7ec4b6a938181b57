"""Pledge pages (`pledge.py`); the results side: score sheets (`sheets.py`), evidence
(`evidence.py`), verification (`verification.py`), bonus and penalty lines
(`adjustments.py`), results, ballots and proposals (`results.py`)."""

from .adjustments import adjustments
from .evidence import evidence_delete, evidence_download
from .history import bloc_history
from .pledge import (
    pledge_create,
    pledge_criteria,
    pledge_detail,
    pledge_edit,
    pledge_items,
    pledge_list,
    pledge_sign,
    pledge_status,
    registration,
    registration_list,
    registrations_xlsx,
)
from .results import (
    ballot_delete,
    ballots,
    chart_groups,
    chart_rank,
    proposal_delete,
    proposals,
    proposals_xlsx,
    results,
    results_xlsx,
)
from .sheets import cross_score, self_score, self_score_return
from .verification import reminders, verify, verify_all

__all__ = [
    "adjustments",
    "ballot_delete",
    "ballots",
    "bloc_history",
    "chart_groups",
    "chart_rank",
    "cross_score",
    "evidence_delete",
    "evidence_download",
    "pledge_create",
    "pledge_criteria",
    "pledge_detail",
    "pledge_edit",
    "pledge_items",
    "pledge_list",
    "pledge_sign",
    "pledge_status",
    "proposal_delete",
    "proposals",
    "proposals_xlsx",
    "registration",
    "reminders",
    "registration_list",
    "registrations_xlsx",
    "results",
    "results_xlsx",
    "self_score",
    "self_score_return",
    "verify",
    "verify_all",
]

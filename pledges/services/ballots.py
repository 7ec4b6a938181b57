"""Writes with rules for the year-end votes: ballots and their outcome, and proposals
for commendation within the quotas.

Decisions:
* The outcome is computed, never stored: ratio = votes / base × 100 (Decimal, 2 places,
  half-up), base per the pledge's vote base; a base of 0 gives ratio 0 and nobody passes.
* Leading units: the `leading_units` passing candidates with most votes of a LEADING ballot.
  A tie at the cut-off is not resolved automatically: the candidates tied there are marked
  `tie_at_cutoff`, none of them is leading, and their note asks for another round between
  them; those with strictly more votes stay leading.
* The number of leading units (for quotas based on them) is the number of distinct
  organizations leading in any LEADING ballot of the pledge.
* A quota with neither a percentage nor a number sets no limit (`quota_limit` → None).
* Recording and deleting ballots and proposals is the secretariat's: the services ask the
  policy for the actor (`pledges.rules.check_manages`, PermissionDenied; `actor: Actor = None` is
  the system itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blocs.models import Attendance, Organization
from portal.lib.events import emit
from portal.lib.history import stamp
from portal.lib.text import sort_key
from portal.lib.types import Actor

from .. import rules
from ..models import Ballot, BallotCandidate, CommendationQuota, Pledge, Proposal
from ..selectors import members_of

if TYPE_CHECKING:
    from blocs.models import Meeting

    from ..models import EmulationTitle
from .year import MEETING_NOT_OF_PLEDGE, NOT_A_MEMBER, check_writable

__all__ = [
    "leading_by_pledge",
    "BALLOT_NOT_OF_PLEDGE",
    "BALLOT_TITLE_REQUIRED",
    "CANDIDATE_TWICE",
    "COUNT_NEGATIVE",
    "ISSUED_OVER_PRESENT",
    "NO_ATTENDANCE",
    "NO_CANDIDATES",
    "PRESENT_NOT_ATTENDANCE",
    "PRESENT_OVER_TOTAL",
    "PROPOSAL_BALLOT_FAILED",
    "PROPOSAL_EXISTS",
    "PROPOSAL_NOT_A_CANDIDATE",
    "QUOTA_EXCEEDED",
    "RETURNED_OVER_ISSUED",
    "TIE_AT_CUTOFF",
    "VALID_INVALID_SUM",
    "VOTES_OVER_VALID",
    "CandidateOutcome",
    "attended",
    "ballot_check_counts",
    "ballot_delete",
    "ballot_outcome",
    "ballot_record",
    "ballots_with_outcomes",
    "candidate_outcomes",
    "check_present_against_attendance",
    "check_proposal_ballot",
    "leading_organizations",
    "proposal_add",
    "proposal_delete",
    "quota_explanation",
    "quota_limit",
    "vote_base",
    "vote_ratio",
]

COUNT_NEGATIVE = _("%(field)s must be a whole number, 0 or more (not “%(value)s”).")
PRESENT_OVER_TOTAL = _(
    "Members present (%(present)s) cannot be more than the members in all (%(total)s)."
)
ISSUED_OVER_PRESENT = _(
    "Ballots issued (%(issued)s) cannot be more than the members present (%(present)s)."
)
RETURNED_OVER_ISSUED = _(
    "Ballots returned (%(returned)s) cannot be more than the ballots issued (%(issued)s)."
)
VALID_INVALID_SUM = _(
    "Valid (%(valid)s) and invalid (%(invalid)s) ballots must add up to the ballots "
    "returned (%(returned)s)."
)
VOTES_OVER_VALID = _(
    "%(organization)s: %(votes)s votes is more than the valid ballots (%(valid)s)."
)
CANDIDATE_TWICE = _("%(organization)s is listed twice; keep one row for it.")
NO_CANDIDATES = _("Add at least one candidate and its votes.")
BALLOT_TITLE_REQUIRED = _("Give the ballot a title (what was voted on).")
BALLOT_NOT_OF_PLEDGE = _("That ballot belongs to another emulation year.")
TIE_AT_CUTOFF = _(
    "%(names)s have the same votes (%(votes)s) at the cut-off for %(units)s leading "
    "unit(s): hold another round between them."
)
PRESENT_NOT_ATTENDANCE = _(
    "Members present (%(present)s) does not match the attendance recorded for “%(meeting)s”: "
    "%(attended)s of %(members)s members attended. Correct the attendance or the count."
)
NO_ATTENDANCE = _(
    "Record the attendance of “%(meeting)s” first: the members present are counted from it."
)
PROPOSAL_BALLOT_FAILED = _(
    "%(organization)s did not pass the ballot “%(ballot)s” (%(ratio)s%%, needs %(rule)s "
    "%(threshold)s%%): a proposal cannot rest on a failed ballot."
)
PROPOSAL_NOT_A_CANDIDATE = _(
    "%(organization)s was not a candidate in the ballot “%(ballot)s”: link the ballot it "
    "passed, or none."
)
PROPOSAL_EXISTS = _("%(organization)s is already proposed for %(title)s this year.")
QUOTA_EXCEEDED = _(
    "%(title)s: at most %(limit)s proposal(s) this year (%(how)s); %(count)s already proposed."
)

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


# Ballots ------------------------------------------------------------------------------

_COUNT_FIELDS = {
    "members_total": _("Members in all"),
    "present": _("Members present"),
    "issued": _("Ballots issued"),
    "returned": _("Ballots returned"),
    "valid": _("Valid ballots"),
    "invalid": _("Invalid ballots"),
}


def _count(value: object, label: object) -> int:
    try:
        number = None if isinstance(value, bool | float) else int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise ValidationError(COUNT_NEGATIVE % {"field": label, "value": value}, code="bad_count")
    return number


def ballot_check_counts(**counts: object) -> dict[str, list[str]]:
    """Errors (by field) of the ballot counts; empty when they are consistent."""
    errors: dict[str, list[str]] = {}
    values: dict[str, int] = {}
    for name, label in _COUNT_FIELDS.items():
        try:
            values[name] = _count(counts[name], label)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    if errors:
        return errors
    v = values
    if v["present"] > v["members_total"]:
        errors["present"] = [
            PRESENT_OVER_TOTAL % {"present": v["present"], "total": v["members_total"]}
        ]
    if v["issued"] > v["present"]:
        errors["issued"] = [ISSUED_OVER_PRESENT % {"issued": v["issued"], "present": v["present"]}]
    if v["returned"] > v["issued"]:
        errors["returned"] = [
            RETURNED_OVER_ISSUED % {"returned": v["returned"], "issued": v["issued"]}
        ]
    if v["valid"] + v["invalid"] != v["returned"]:
        errors["invalid"] = [
            VALID_INVALID_SUM
            % {"valid": v["valid"], "invalid": v["invalid"], "returned": v["returned"]}
        ]
    return errors


@transaction.atomic
def ballot_record(
    *,
    pledge: Pledge,
    meeting: Meeting | None = None,
    purpose: str,
    title: str,
    members_total: object,
    present: object,
    issued: object,
    returned: object,
    valid: object,
    invalid: object,
    tellers: str = "",
    candidates: Sequence[dict[str, Any]],
    actor: Actor = None,
) -> Ballot:
    """Record a ballot and its candidates' votes; every inconsistency is reported at once
    (as a ValidationError by field) and nothing is written."""
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("bloc").get(pk=pledge.pk)
    rules.check_manages(actor, pledge)
    check_writable(pledge)
    counts = {
        "members_total": members_total,
        "present": present,
        "issued": issued,
        "returned": returned,
        "valid": valid,
        "invalid": invalid,
    }
    errors = ballot_check_counts(**counts)
    title = (title or "").strip()
    if not title:
        errors["title"] = [str(BALLOT_TITLE_REQUIRED)]
    if purpose not in Ballot.Purpose.values:
        errors["purpose"] = [str(_("Choose what the ballot is for."))]
    if meeting is not None and (meeting.bloc_id != pledge.bloc_id or meeting.year != pledge.year):
        errors["meeting"] = [
            MEETING_NOT_OF_PLEDGE % {"meeting": meeting, "bloc": pledge.bloc, "year": pledge.year}
        ]
    if meeting is not None and "meeting" not in errors and "present" not in errors:
        problem = check_present_against_attendance(meeting, int(str(present).strip()))
        if problem:
            errors["present"] = [problem]
    member_ids = {o.pk for o in members_of(pledge)}
    valid_count = None if "valid" in errors else int(str(valid).strip())
    rows: list[tuple[Organization, int]] = []
    seen: set[int] = set()
    problems: list[object] = []
    for row in candidates:
        org = row["organization"]
        if org.pk in seen:
            problems.append(CANDIDATE_TWICE % {"organization": org})
            continue
        seen.add(org.pk)
        if org.pk not in member_ids:
            problems.append(
                NOT_A_MEMBER % {"organization": org, "bloc": pledge.bloc, "year": pledge.year}
            )
        try:
            votes = _count(row.get("votes"), org)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if valid_count is not None and votes > valid_count:
            problems.append(
                VOTES_OVER_VALID % {"organization": org, "votes": votes, "valid": valid_count}
            )
        rows.append((org, votes))
    if not candidates:
        problems.append(str(NO_CANDIDATES))
    if problems:
        errors["candidates"] = [str(p) for p in problems]
    if errors:
        raise ValidationError(errors, code="ballot_invalid")
    ballot = Ballot(
        pledge=pledge,
        meeting=meeting,
        purpose=purpose,
        title=title,
        tellers=(tellers or "").strip(),
        recorded_by=actor,
        **{name: int(str(value).strip()) for name, value in counts.items()},
    )
    ballot.full_clean(exclude=["pledge", "meeting", "recorded_by"])
    stamp(ballot, actor)
    ballot.save()
    for org, votes in rows:
        candidate = BallotCandidate(ballot=ballot, organization=org, votes=votes)
        stamp(candidate, actor)
        candidate.save()
    return ballot


def attended(meeting_id: int) -> tuple[int, int] | None:
    """(present, recorded) from the meeting's attendance; None when none is recorded."""
    rows = Attendance.objects.filter(meeting_id=meeting_id)
    statuses = list(rows.values_list("status", flat=True))
    if not statuses:
        return None
    return sum(1 for s in statuses if s == Attendance.Status.PRESENT), len(statuses)


def check_present_against_attendance(meeting: Meeting, present: int) -> str:
    """The message when `present` is not what the meeting's attendance says ("" if it is).

    A ballot typed with 6 present at a meeting that 5 of 6 members attended was counted on
    6 and passed at 83,33% instead of 80%: the attendance is the record, the count follows.
    """
    found = attended(meeting.pk)
    if found is None:
        return str(NO_ATTENDANCE % {"meeting": meeting.title})
    count, recorded = found
    if present != count:
        return str(
            PRESENT_NOT_ATTENDANCE
            % {
                "present": present,
                "meeting": meeting.title,
                "attended": count,
                "members": recorded,
            }
        )
    return ""


@transaction.atomic
def ballot_delete(*, ballot: Ballot, actor: Actor = None) -> None:
    pledge = Pledge.objects.get(pk=ballot.pledge_id)
    rules.check_manages(actor, pledge)
    check_writable(pledge)
    stamp(ballot, actor)
    ballot.delete()


# Outcome ------------------------------------------------------------------------------


@dataclass
class CandidateOutcome:
    organization: Organization
    votes: int
    base: int
    ratio: Decimal  # percent, 2 decimals
    passed: bool
    leading: bool = False
    tie_at_cutoff: bool = False
    note: str = ""


def vote_ratio(votes: int, base: int) -> Decimal:
    """votes / base in percent, 2 decimals half-up; 0 when the base is 0."""
    if base <= 0:
        return Decimal("0.00")
    return (Decimal(votes) * HUNDRED / Decimal(base)).quantize(CENT, rounding=ROUND_HALF_UP)


def vote_base(ballot: Ballot, base: str) -> int:
    """The number the ratio is of, per the pledge's vote base."""
    # Keyed by the stored value (a VoteBase is a str): pledge.vote_base is a plain string.
    bases: dict[str, int] = {
        Pledge.VoteBase.MEMBERS: ballot.members_total,
        Pledge.VoteBase.PRESENT: ballot.present,
        Pledge.VoteBase.VALID: ballot.valid,
    }
    return bases[base]


def _name(org: Organization) -> str:
    return getattr(org, "short_name", "") or str(org)


def candidate_outcomes(
    candidates: Iterable[tuple[Organization, int]],
    *,
    base: int,
    threshold: Decimal,
    strict: bool,
    leading_units: int | None = None,
) -> list[CandidateOutcome]:
    """Pure: the outcome per candidate, most votes first. With `leading_units`, the top
    passing candidates are leading (a tie at the cut-off leads none of the tied)."""
    outcomes: list[CandidateOutcome] = []
    for org, votes in sorted(candidates, key=lambda c: (-c[1], sort_key(str(c[0])))):
        ratio = vote_ratio(votes, base)
        passed = base > 0 and (ratio > threshold if strict else ratio >= threshold)
        outcomes.append(CandidateOutcome(org, votes, base, ratio, passed))
    if leading_units:
        passing = [o for o in outcomes if o.passed]
        if len(passing) <= leading_units:
            chosen = passing
        else:
            cutoff = passing[leading_units - 1].votes
            if passing[leading_units].votes == cutoff:
                tied = [o for o in passing if o.votes == cutoff]
                note = TIE_AT_CUTOFF % {
                    "names": ", ".join(_name(o.organization) for o in tied),
                    "votes": cutoff,
                    "units": leading_units,
                }
                for o in tied:
                    o.tie_at_cutoff, o.note = True, str(note)
                chosen = [o for o in passing if o.votes > cutoff]
            else:
                chosen = passing[:leading_units]
        for o in chosen:
            o.leading = True
    return outcomes


def ballot_outcome(ballot: Ballot) -> list[CandidateOutcome]:
    """The outcome of each candidate under the pledge's vote rules (2 queries)."""
    candidates = ballot.candidates.select_related("organization")
    return _outcomes(ballot, ballot.pledge, candidates)


def ballots_with_outcomes(
    pledge: Pledge, **where: Any
) -> list[tuple[Ballot, list[CandidateOutcome]]]:
    """The pledge's ballots matching `where` (all, one meeting's, one purpose's), oldest
    first, each with its candidates' outcomes: 2 queries however many ballots and votes."""
    candidates = BallotCandidate.objects.select_related("organization")
    ballots = (
        Ballot.objects.filter(pledge=pledge, **where)
        .select_related("meeting")
        .prefetch_related(Prefetch("candidates", queryset=candidates))
        .order_by("recorded_at", "pk")
    )
    return [(ballot, _outcomes(ballot, pledge, ballot.candidates.all())) for ballot in ballots]


def leading_organizations(
    pledge: Pledge, outcomes: list[tuple[Ballot, list[CandidateOutcome]]] | None = None
) -> set[int]:
    """Ids of the organizations leading in any LEADING ballot of the pledge (2 queries,
    none when the caller has the `ballots_with_outcomes` already)."""
    if outcomes is None:
        outcomes = ballots_with_outcomes(pledge, purpose=Ballot.Purpose.LEADING)
    return {
        o.organization.pk
        for ballot, rows in outcomes
        if ballot.purpose == Ballot.Purpose.LEADING
        for o in rows
        if o.leading
    }


def leading_by_pledge(pledge_ids: Iterable[int]) -> dict[int, list[Organization]]:
    """For many pledges at once (the council's page over its blocs): the organizations
    leading in any LEADING ballot of each, in Vietnamese order (2 queries however many)."""
    candidates = BallotCandidate.objects.select_related("organization")
    ballots = (
        Ballot.objects.filter(pledge_id__in=list(pledge_ids), purpose=Ballot.Purpose.LEADING)
        .select_related("pledge")
        .prefetch_related(Prefetch("candidates", queryset=candidates))
        .order_by("recorded_at", "pk")
    )
    found: dict[int, dict[int, Organization]] = {}
    for ballot in ballots:
        leading = found.setdefault(ballot.pledge_id, {})
        for outcome in _outcomes(ballot, ballot.pledge, ballot.candidates.all()):
            if outcome.leading:
                leading[outcome.organization.pk] = outcome.organization
    return {pk: sorted(orgs.values(), key=lambda org: org.sort_name) for pk, orgs in found.items()}


def _outcomes(
    ballot: Ballot, pledge: Pledge, candidates: Iterable[BallotCandidate]
) -> list[CandidateOutcome]:
    return candidate_outcomes(
        [(c.organization, c.votes) for c in candidates],
        base=vote_base(ballot, pledge.vote_base),
        threshold=pledge.vote_threshold,
        strict=pledge.vote_threshold_strict,
        leading_units=pledge.leading_units if ballot.purpose == Ballot.Purpose.LEADING else None,
    )


# Proposals and quotas -----------------------------------------------------------------


def quota_limit(quota: CommendationQuota, *, members: int, leading: int) -> int | None:
    """min(floor(max_percent × base / 100), max_count) over what is set; None if neither."""
    base = leading if quota.base == CommendationQuota.Base.LEADING else members
    limits: list[int] = []
    if quota.max_percent is not None:
        share = Decimal(quota.max_percent) * base / HUNDRED
        limits.append(int(share.to_integral_value(rounding=ROUND_FLOOR)))
    if quota.max_count is not None:
        limits.append(quota.max_count)
    return min(limits) if limits else None


def _percent(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def quota_explanation(quota: CommendationQuota, *, members: int, leading: int) -> str:
    """How the limit was computed, e.g. "20% of 6 members = 1"."""
    parts: list[object] = []
    if quota.max_percent is not None:
        if quota.base == CommendationQuota.Base.LEADING:
            of = ngettext("%(n)s leading unit", "%(n)s leading units", leading) % {"n": leading}
            base = leading
        else:
            of = ngettext("%(n)s member", "%(n)s members", members) % {"n": members}
            base = members
        share = int(
            (Decimal(quota.max_percent) * base / HUNDRED).to_integral_value(rounding=ROUND_FLOOR)
        )
        parts.append(
            _("%(percent)s%% of %(of)s = %(share)s")
            % {"percent": _percent(quota.max_percent), "of": of, "share": share}
        )
    if quota.max_count is not None:
        parts.append(_("at most %(count)s") % {"count": quota.max_count})
    return ", ".join(str(p) for p in parts)


def check_proposal_ballot(ballot: Ballot, organization: Organization) -> str:
    """The message when `organization` did not pass `ballot` ("" when it did): a proposal
    linked to a ballot rests on it. The ratio is written with the reader's decimal comma."""
    outcome = next(
        (o for o in ballot_outcome(ballot) if o.organization.pk == organization.pk), None
    )
    params = {"organization": organization, "ballot": ballot.title}
    if outcome is None:
        return str(PROPOSAL_NOT_A_CANDIDATE % params)
    if outcome.passed:
        return ""
    pledge = ballot.pledge
    return str(
        PROPOSAL_BALLOT_FAILED
        % {
            **params,
            "ratio": formats.number_format(outcome.ratio, 2, use_l10n=True),
            "rule": _("over") if pledge.vote_threshold_strict else _("at least"),
            "threshold": formats.number_format(pledge.vote_threshold, 2, use_l10n=True),
        }
    )


@transaction.atomic
def proposal_add(
    *,
    pledge: Pledge,
    organization: Organization,
    title: EmulationTitle,
    ballot: Ballot | None = None,
    achievements: str = "",
    actor: Actor = None,
) -> Proposal:
    """Propose a member for a commendation, within the quota set for that title."""
    # Lock the pledge: two proposals at once cannot both take the last place of a quota.
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("bloc").get(pk=pledge.pk)
    rules.check_manages(actor, pledge)
    check_writable(pledge)
    members = members_of(pledge)
    if organization.pk not in {o.pk for o in members}:
        raise ValidationError(
            {
                "organization": NOT_A_MEMBER
                % {"organization": organization, "bloc": pledge.bloc, "year": pledge.year}
            },
            code="not_member",
        )
    if ballot is not None and ballot.pledge_id != pledge.pk:
        raise ValidationError({"ballot": BALLOT_NOT_OF_PLEDGE}, code="ballot_not_of_pledge")
    if ballot is not None:
        problem = check_proposal_ballot(ballot, organization)
        if problem:
            raise ValidationError({"ballot": problem}, code="ballot_failed")
    if Proposal.objects.filter(pledge=pledge, organization=organization, title=title).exists():
        raise ValidationError(
            PROPOSAL_EXISTS % {"organization": organization, "title": title}, code="exists"
        )
    quota = CommendationQuota.objects.filter(pledge=pledge, title=title).first()
    if quota is not None:
        leading = (
            len(leading_organizations(pledge))
            if quota.base == CommendationQuota.Base.LEADING
            else 0
        )
        limit = quota_limit(quota, members=len(members), leading=leading)
        count = Proposal.objects.filter(pledge=pledge, title=title).count()
        if limit is not None and count + 1 > limit:
            how = quota_explanation(quota, members=len(members), leading=leading)
            raise ValidationError(
                QUOTA_EXCEEDED % {"title": title, "limit": limit, "how": how, "count": count},
                code="quota_exceeded",
            )
    proposal = Proposal(
        pledge=pledge,
        organization=organization,
        title=title,
        ballot=ballot,
        achievements=(achievements or "").strip(),
        created_by=actor,
    )
    stamp(proposal, actor)
    proposal.save()
    emit("pledges.proposal_added", proposal=proposal, actor=actor)
    return proposal


@transaction.atomic
def proposal_delete(*, proposal: Proposal, actor: Actor = None) -> None:
    pledge = Pledge.objects.get(pk=proposal.pledge_id)
    rules.check_manages(actor, pledge)
    check_writable(pledge)
    stamp(proposal, actor)
    proposal.delete()

"""Ballots, their outcome under the pledge's vote rules, and proposals within the quotas."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from blocs.models import Attendance, Meeting
from pledges import services
from pledges.models import Ballot, BallotCandidate, CommendationQuota, Pledge, Proposal
from pledges.services.ballots import candidate_outcomes, quota_explanation, quota_limit, vote_ratio
from tests.factories import EmulationTitleFactory


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in their English msgids, whatever the .po says later.
    with translation.override("en"):
        yield


def messages(exc) -> str:
    return " ".join(exc.value.messages)


COUNTS = {
    "members_total": 4,
    "present": 4,
    "issued": 4,
    "returned": 4,
    "valid": 4,
    "invalid": 0,
}


def attend(meeting, orgs, *, absent=()):
    """The meeting's attendance: every one of `orgs` present but those `absent`."""
    for org in orgs:
        status = Attendance.Status.EXCUSED if org in absent else Attendance.Status.PRESENT
        Attendance.objects.create(meeting=meeting, organization=org, status=status)


def record(pledge, candidates, *, purpose="leading", **counts):
    return services.ballot_record(
        pledge=pledge,
        purpose=purpose,
        title="Bầu đơn vị dẫn đầu",
        candidates=[{"organization": org, "votes": votes} for org, votes in candidates],
        **{**COUNTS, **counts},
    )


# Counts -----------------------------------------------------------------------------------


def test_ballot_record_stores_counts_and_candidates(pledge, world):
    user = world.users["secretariat"]
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=pledge.year,
        kind="year_end",
        title="Tổng kết",
        starts_at=dt.datetime(pledge.year, 12, 20, 8, tzinfo=dt.UTC),
        place="Hải Phòng",
    )
    attend(meeting, world.orgs, absent=world.orgs[3:])
    ballot = services.ballot_record(
        pledge=pledge,
        meeting=meeting,
        purpose="leading",
        title="  Suy tôn đơn vị dẫn đầu  ",
        members_total=4,
        present="3",
        issued=3,
        returned=3,
        valid=2,
        invalid=1,
        tellers="Ban kiểm phiếu: Hội LHPN, Thành đoàn",
        candidates=[{"organization": world.orgs[0], "votes": 2}],
        actor=user,
    )
    assert (ballot.title, ballot.present, ballot.valid, ballot.recorded_by) == (
        "Suy tôn đơn vị dẫn đầu",
        3,
        2,
        user,
    )
    assert ballot.history.first().history_user == user
    assert list(ballot.candidates.values_list("organization", "votes")) == [(world.orgs[0].pk, 2)]


@pytest.mark.parametrize(
    ("counts", "field", "error"),
    [
        (
            {"members_total": 3},
            "present",
            "Members present (4) cannot be more than the members in all (3).",
        ),
        (
            {"present": 3},
            "issued",
            "Ballots issued (4) cannot be more than the members present (3).",
        ),
        (
            {"issued": 3},
            "returned",
            "Ballots returned (4) cannot be more than the ballots issued (3).",
        ),
        (
            {"valid": 3},
            "invalid",
            "Valid (3) and invalid (0) ballots must add up to the ballots returned (4).",
        ),
        (
            {"valid": 4, "invalid": 1},
            "invalid",
            "Valid (4) and invalid (1) ballots must add up to the ballots returned (4).",
        ),
        ({"present": -1}, "present", "Members present must be a whole number, 0 or more"),
        ({"valid": "bốn"}, "valid", "Valid ballots must be a whole number, 0 or more (not “bốn”)"),
        ({"issued": 2.5}, "issued", "Ballots issued must be a whole number"),
        ({"returned": None}, "returned", "Ballots returned must be a whole number"),
    ],
)
def test_inconsistent_counts_are_refused(pledge, world, counts, field, error):
    with pytest.raises(ValidationError) as exc:
        record(pledge, [(world.orgs[0], 1)], **counts)
    assert error in " ".join(exc.value.message_dict[field])
    assert not Ballot.objects.exists()


def test_every_inconsistency_is_reported_at_once(pledge, world):
    with pytest.raises(ValidationError) as exc:
        record(
            pledge,
            [(world.orgs[0], 5), (world.orgs[0], 1), (world.outsider_org, 1)],
            members_total=6,
            present=5,
            issued=5,
            returned=4,
            valid=4,
            invalid=1,
        )
    errors = exc.value.message_dict
    assert set(errors) == {"invalid", "candidates"}
    assert errors["candidates"] == [
        "Hội Liên hiệp Phụ nữ thành phố: 5 votes is more than the valid ballots (4).",
        "Hội Liên hiệp Phụ nữ thành phố is listed twice; keep one row for it.",
        f"Ủy ban MTTQ thị xã Sơn Tây is not a member of {world.bloc} in {pledge.year}.",
    ]
    assert not Ballot.objects.exists() and not BallotCandidate.objects.exists()


@pytest.mark.parametrize(
    ("candidates", "title", "error_field", "error"),
    [
        ([], "Bầu", "candidates", "Add at least one candidate"),
        ([0], "  ", "title", "Give the ballot a title"),
    ],
)
def test_title_and_candidates_are_required(pledge, world, candidates, title, error_field, error):
    with pytest.raises(ValidationError) as exc:
        services.ballot_record(
            pledge=pledge,
            purpose="other",
            title=title,
            candidates=[{"organization": world.orgs[i], "votes": 1} for i in candidates],
            **COUNTS,
        )
    assert error in exc.value.message_dict[error_field][0]


def test_too_long_title_is_refused(pledge, world):
    with pytest.raises(ValidationError) as exc:
        services.ballot_record(
            pledge=pledge,
            purpose="other",
            title="x" * 301,
            candidates=[{"organization": world.orgs[0], "votes": 1}],
            **COUNTS,
        )
    assert set(exc.value.message_dict) == {"title"}
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(("bloc", "year_shift"), [("other_bloc", 0), ("bloc", -1)])
def test_meeting_must_be_of_the_bloc_and_year(pledge, world, bloc, year_shift):
    meeting = Meeting.objects.create(
        bloc=getattr(world, bloc),
        year=pledge.year + year_shift,
        kind="year_end",
        title="Hội nghị khác",
        starts_at=dt.datetime(pledge.year, 12, 20, 8, tzinfo=dt.UTC),
        place="Hà Nội",
    )
    with pytest.raises(ValidationError) as exc:
        services.ballot_record(
            pledge=pledge,
            meeting=meeting,
            purpose="leading",
            title="Bầu",
            candidates=[{"organization": world.orgs[0], "votes": 1}],
            **COUNTS,
        )
    assert "is not a meeting of" in exc.value.message_dict["meeting"][0]


def test_ballots_refused_when_closed(pledge, world):
    ballot = record(pledge, [(world.orgs[0], 3)])
    Pledge.objects.filter(pk=pledge.pk).update(status="closed")
    pledge.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        record(pledge, [(world.orgs[0], 3)])
    assert "closed" in messages(exc)
    with pytest.raises(ValidationError):
        services.ballot_delete(ballot=ballot)
    Pledge.objects.filter(pk=pledge.pk).update(status="scoring")
    services.ballot_delete(ballot=ballot)
    assert not Ballot.objects.exists()


# Outcome ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "base", "expected"),
    [
        (3, 6, D("50.00")),
        (2, 3, D("66.67")),  # half-up
        (1, 3, D("33.33")),
        (1, 8, D("12.50")),
        (0, 5, D("0.00")),
        (7, 7, D("100.00")),
        (3, 0, D("0.00")),  # no base: 0, nobody passes
    ],
)
def test_vote_ratio(votes, base, expected):
    assert vote_ratio(votes, base) == expected


# A ballot of 10 members, 8 present, 6 valid; candidate with 4 votes:
# members 40%, present 50%, valid 66.67%.
@pytest.mark.parametrize(
    ("vote_base", "threshold", "strict", "ratio", "passed"),
    [
        ("members", "40", True, D("40.00"), False),  # exactly at the threshold, strict
        ("members", "40", False, D("40.00"), True),  # exactly at it, reaching is enough
        ("members", "39.99", True, D("40.00"), True),
        ("present", "50", True, D("50.00"), False),
        ("present", "50", False, D("50.00"), True),
        ("present", "50.01", False, D("50.00"), False),
        ("valid", "66.67", True, D("66.67"), False),  # the rounded ratio is compared
        ("valid", "66.67", False, D("66.67"), True),
        ("valid", "50", True, D("66.67"), True),
    ],
)
def test_ballot_outcome_by_base_and_threshold(
    pledge, world, vote_base, threshold, strict, ratio, passed
):
    Pledge.objects.filter(pk=pledge.pk).update(
        vote_base=vote_base, vote_threshold=D(threshold), vote_threshold_strict=strict
    )
    pledge.refresh_from_db()
    ballot = record(
        pledge,
        [(world.orgs[0], 4)],
        members_total=10,
        present=8,
        issued=8,
        returned=7,
        valid=6,
        invalid=1,
    )
    [outcome] = services.ballot_outcome(ballot)
    expected_base = {"members": 10, "present": 8, "valid": 6}[vote_base]
    assert (outcome.base, outcome.ratio, outcome.passed) == (expected_base, ratio, passed)
    assert outcome.leading is passed  # one leading unit, one candidate


def test_zero_base_passes_nobody(pledge, world):
    Pledge.objects.filter(pk=pledge.pk).update(vote_base="valid", vote_threshold=D("0"))
    pledge.refresh_from_db()
    ballot = record(pledge, [(world.orgs[0], 0)], returned=0, valid=0, invalid=0)
    [outcome] = services.ballot_outcome(ballot)
    assert (outcome.base, outcome.ratio, outcome.passed, outcome.leading) == (
        0,
        D("0"),
        False,
        False,
    )


def outcomes(votes, units, base=10, threshold="50", strict=True) -> str:
    """Candidates by votes as "name:state": L leading, T tied at the cut-off, P passed only,
    - not passed."""
    rows = candidate_outcomes(
        [(f"Org{i}", v) for i, v in enumerate(votes)],
        base=base,
        threshold=D(threshold),
        strict=strict,
        leading_units=units,
    )
    assert all(not (o.leading and o.tie_at_cutoff) for o in rows)
    assert all(o.passed for o in rows if o.leading or o.tie_at_cutoff)
    state = {(True, False, True): "L", (False, True, True): "T", (False, False, True): "P"}
    return " ".join(
        f"{o.organization}:{state.get((o.leading, o.tie_at_cutoff, o.passed), '-')}" for o in rows
    )


@pytest.mark.parametrize(
    ("votes", "units", "expected"),
    [
        ([6, 9, 7], 1, "Org1:L Org2:P Org0:P"),  # the most votes leads
        ([6, 9, 7], 2, "Org1:L Org2:L Org0:P"),  # two units
        ([9, 5, 3], 2, "Org0:L Org1:- Org2:-"),  # fewer passing than units; failing never
        ([8, 8, 6], 1, "Org0:T Org1:T Org2:P"),  # tie at the cut-off: none of the tied leads
        ([9, 7, 7, 6], 2, "Org0:L Org1:T Org2:T Org3:P"),  # the one above still leads
        ([8, 8, 6], 2, "Org0:L Org1:L Org2:P"),  # a tie within the units is no problem
        ([9, 5, 5], 1, "Org0:L Org1:- Org2:-"),  # a tie below the threshold does not matter
        ([9, 8], None, "Org0:P Org1:P"),  # not a leading ballot
    ],
)
def test_leading_units(votes, units, expected):
    assert outcomes(votes, units) == expected


def test_tie_at_cutoff_note_asks_for_another_round(pledge, world):
    ballot = record(pledge, [(world.orgs[0], 3), (world.orgs[1], 3), (world.orgs[2], 1)])
    rows = services.ballot_outcome(ballot)
    tied = [o for o in rows if o.tie_at_cutoff]
    assert [o.organization for o in tied] == [world.orgs[0], world.orgs[1]]
    assert tied[0].note == (
        "Hội LHPN, Thành đoàn have the same votes (3) at the cut-off for 1 leading unit(s): "
        "hold another round between them."
    )
    assert not any(o.leading for o in rows)


def test_commendation_ballots_have_no_leading_units(pledge, world):
    ballot = record(pledge, [(world.orgs[0], 4)], purpose="commendation")
    [outcome] = services.ballot_outcome(ballot)
    assert outcome.passed and not outcome.leading


# Quotas and proposals ---------------------------------------------------------------------


def quota(percent=None, count=None, base="members"):
    return CommendationQuota(
        max_percent=None if percent is None else D(percent), max_count=count, base=base
    )


@pytest.mark.parametrize(
    ("q", "members", "leading", "limit", "how"),
    [
        (quota("20"), 6, 0, 1, "20% of 6 members = 1"),
        (quota("20"), 4, 0, 0, "20% of 4 members = 0"),
        (quota("20"), 5, 0, 1, "20% of 5 members = 1"),  # exactly 1
        (quota("50"), 7, 0, 3, "50% of 7 members = 3"),  # floored
        (quota("100"), 7, 0, 7, "100% of 7 members = 7"),
        (quota("12.5"), 16, 0, 2, "12.5% of 16 members = 2"),
        (quota("50", 2), 6, 0, 2, "50% of 6 members = 3, at most 2"),
        (quota("50", 5), 6, 0, 3, "50% of 6 members = 3, at most 5"),
        (quota(None, 2), 6, 0, 2, "at most 2"),
        (quota("20", base="leading"), 30, 10, 2, "20% of 10 leading units = 2"),
        (quota("20", base="leading"), 30, 1, 0, "20% of 1 leading unit = 0"),
        (quota(), 6, 0, None, ""),
    ],
)
def test_quota_limit(q, members, leading, limit, how):
    assert quota_limit(q, members=members, leading=leading) == limit
    assert quota_explanation(q, members=members, leading=leading) == how


@pytest.fixture
def flag():
    return EmulationTitleFactory(code="co-thi-dua", name="Cờ thi đua", kind="title")


def test_proposal_add_within_the_quota(pledge, world, flag):
    CommendationQuota.objects.create(pledge=pledge, title=flag, max_percent=D("50"))
    user = world.users["secretariat"]
    first = services.proposal_add(
        pledge=pledge, organization=world.orgs[0], title=flag, achievements="Dẫn đầu", actor=user
    )
    assert (first.created_by, first.history.first().history_user) == (user, user)
    services.proposal_add(pledge=pledge, organization=world.orgs[1], title=flag)
    with pytest.raises(ValidationError) as exc:
        services.proposal_add(pledge=pledge, organization=world.orgs[2], title=flag)
    assert messages(exc) == (
        "Cờ thi đua: at most 2 proposal(s) this year (50% of 4 members = 2); 2 already proposed."
    )
    assert Proposal.objects.count() == 2


def test_quota_of_leading_units_counts_the_leading_ballots(pledge, world, flag):
    CommendationQuota.objects.create(
        pledge=pledge, title=flag, max_percent=D("100"), base="leading"
    )
    with pytest.raises(ValidationError) as exc:
        services.proposal_add(pledge=pledge, organization=world.orgs[0], title=flag)
    assert "at most 0 proposal(s) this year (100% of 0 leading units = 0)" in messages(exc)
    ballot = record(pledge, [(world.orgs[0], 4), (world.orgs[1], 1)])
    record(pledge, [(world.orgs[1], 1)], purpose="commendation")  # not a leading ballot
    services.proposal_add(pledge=pledge, organization=world.orgs[0], title=flag, ballot=ballot)
    with pytest.raises(ValidationError) as exc:
        services.proposal_add(pledge=pledge, organization=world.orgs[1], title=flag)
    assert "(100% of 1 leading unit = 1); 1 already proposed." in messages(exc)


def test_proposal_without_quota_has_no_limit(pledge, world, flag):
    for org in world.orgs:
        services.proposal_add(pledge=pledge, organization=org, title=flag)
    assert Proposal.objects.count() == 4


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("duplicate", "Hội Liên hiệp Phụ nữ thành phố is already proposed for Cờ thi đua"),
        ("outsider", "is not a member of"),
        ("other_ballot", "That ballot belongs to another emulation year."),
        ("closed", "closed"),
    ],
)
def test_proposal_add_refusals(pledge, world, flag, case, error):
    org, ballot = world.orgs[0], None
    if case == "duplicate":
        services.proposal_add(pledge=pledge, organization=org, title=flag)
    elif case == "outsider":
        org = world.outsider_org
    elif case == "other_ballot":
        other = Pledge.objects.create(bloc=world.bloc, year=pledge.year - 1, title="Năm trước")
        ballot = record(other, [(world.orgs[0], 4)])
    elif case == "closed":
        Pledge.objects.filter(pk=pledge.pk).update(status="closed")
        pledge.refresh_from_db()
    before = Proposal.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.proposal_add(pledge=pledge, organization=org, title=flag, ballot=ballot)
    assert error in messages(exc)
    assert Proposal.objects.count() == before


def test_proposal_delete(pledge, world, flag):
    proposal = services.proposal_add(pledge=pledge, organization=world.orgs[0], title=flag)
    Pledge.objects.filter(pk=pledge.pk).update(status="closed")
    with pytest.raises(ValidationError):
        services.proposal_delete(proposal=proposal)
    Pledge.objects.filter(pk=pledge.pk).update(status="scoring")
    services.proposal_delete(proposal=proposal)
    assert not Proposal.objects.exists()


def test_a_member_cannot_record_or_delete_ballots_and_proposals(pledge, world, flag):
    member = world.users["member"]
    with pytest.raises(PermissionDenied):
        services.ballot_record(
            pledge=pledge,
            purpose="leading",
            title="Bầu đơn vị dẫn đầu",
            candidates=[{"organization": world.orgs[0], "votes": 4}],
            actor=member,
            **COUNTS,
        )
    with pytest.raises(PermissionDenied):
        services.proposal_add(pledge=pledge, organization=world.orgs[2], title=flag, actor=member)
    ballot = record(pledge, [(world.orgs[0], 4)])
    proposal = services.proposal_add(pledge=pledge, organization=world.orgs[0], title=flag)
    with pytest.raises(PermissionDenied):
        services.ballot_delete(ballot=ballot, actor=member)
    with pytest.raises(PermissionDenied):
        services.proposal_delete(proposal=proposal, actor=member)
    assert list(Ballot.objects.all()) == [ballot]
    assert list(Proposal.objects.all()) == [proposal]


# Against the meeting: present from its attendance; proposals on a passed ballot -------------


@pytest.fixture
def review(pledge, world):
    """The year-end review that 3 of the 4 members attended."""
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=pledge.year,
        kind="year_end",
        title="Tổng kết",
        starts_at=dt.datetime(pledge.year, 12, 20, 8, tzinfo=dt.UTC),
        place="Hải Phòng",
    )
    attend(meeting, world.orgs, absent=world.orgs[3:])
    return meeting


def test_present_is_checked_against_the_meetings_attendance(pledge, world, review):
    # Typed as 4 present at a meeting that 3 of 4 attended: it would be counted on 4.
    with pytest.raises(ValidationError) as exc:
        record(pledge, [(world.orgs[0], 3)], meeting=review)
    assert exc.value.message_dict["present"] == [
        "Members present (4) does not match the attendance recorded for “Tổng kết”: "
        "3 of 4 members attended. Correct the attendance or the count."
    ]
    assert not Ballot.objects.exists()
    counts = {"present": 3, "issued": 3, "returned": 3, "valid": 3}
    ballot = record(pledge, [(world.orgs[0], 3)], meeting=review, **counts)
    assert (ballot.present, ballot.members_total) == (3, 4)


def test_a_ballot_at_a_meeting_without_attendance_is_refused(pledge, world, review):
    Attendance.objects.filter(meeting=review).delete()
    with pytest.raises(ValidationError) as exc:
        record(pledge, [(world.orgs[0], 3)], meeting=review)
    assert "Record the attendance of “Tổng kết” first" in exc.value.message_dict["present"][0]
    assert not Ballot.objects.exists()


def test_a_proposal_cannot_rest_on_a_failed_ballot(pledge, world, flag):
    # 1 of 4 members = 25,00%, under the pledge's threshold: failed.
    ballot = record(pledge, [(world.orgs[0], 4), (world.orgs[1], 1)])
    for org, error in (
        # The portal writes decimals with a comma in every language (its formats).
        (world.orgs[1], "did not pass the ballot “Bầu đơn vị dẫn đầu” (25,00%, needs over 50,00%)"),
        (world.orgs[2], "was not a candidate in the ballot “Bầu đơn vị dẫn đầu”"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.proposal_add(pledge=pledge, organization=org, title=flag, ballot=ballot)
        assert error in exc.value.message_dict["ballot"][0]
    assert not Proposal.objects.exists()
    with translation.override("vi"):
        message = services.check_proposal_ballot(ballot, world.orgs[1])
    assert "25,00%" in message and "50,00%" in message, message
    services.proposal_add(pledge=pledge, organization=world.orgs[0], title=flag, ballot=ballot)
    assert Proposal.objects.get().ballot == ballot


def test_the_proposal_form_refuses_a_failed_ballot(pledge, world, flag):
    from pledges.forms.scoring import ProposalForm

    ballot = record(pledge, [(world.orgs[0], 4), (world.orgs[1], 1)])
    data = {"organization": world.orgs[1].pk, "title": flag.pk, "ballot": ballot.pk}
    form = ProposalForm(data, pledge=pledge, members=list(world.orgs))
    assert not form.is_valid()
    assert "did not pass the ballot" in form.errors["ballot"][0]
    data["organization"] = world.orgs[0].pk
    assert ProposalForm(data, pledge=pledge, members=list(world.orgs)).is_valid()

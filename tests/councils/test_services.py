"""The council's writes: who may decide, the reason a return or a hold needs, a hold that
blocks accepting, the quota across blocs, the audit rows of holds and their lifting, and the
notice the bloc's secretariat gets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from blocs.models import CouncilAssignment
from notifications.models import Notification
from pledges import services
from pledges.models import CouncilDecision, CouncilQuota, Proposal, ProposalHold
from tests.factories import MembershipFactory, OfficialFactory, UserFactory

from .helpers import YEAR, make_council

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def _quota(council, percent="20"):
    return CouncilQuota.objects.create(
        organizing_body=council.body, year=YEAR, title=council.flag, max_percent=Decimal(percent)
    )


def test_the_council_accepts_and_returns_with_a_reason():
    council = make_council(2)
    official = council.official()
    first, second = council.proposals
    accepted = services.council_decide(proposal=first, status="accepted", actor=official)
    assert accepted.status == CouncilDecision.Status.ACCEPTED
    assert accepted.decided_by == official
    returned = services.council_decide(
        proposal=second, status="returned", reason="Thiếu báo cáo thành tích", actor=official
    )
    assert returned.reason == "Thiếu báo cáo thành tích"


@pytest.mark.parametrize("status", ["returned", "on_hold"])
def test_a_return_or_hold_needs_a_reason_and_changes_nothing_without(status):
    council = make_council(1)
    with pytest.raises(ValidationError) as caught:
        services.council_decide(
            proposal=council.proposals[0], status=status, reason="   ", actor=council.official()
        )
    assert "Hãy ghi lý do" in str(caught.value)
    assert not CouncilDecision.objects.exists()


def test_only_the_council_of_the_organizing_body_decides():
    council = make_council(1)
    proposal = council.proposals[0]
    chair_official = OfficialFactory(organization=council.leaders[0]).user
    other_body = make_council(1, name="Ủy ban nhân dân tỉnh Khác").official("khac")
    for person in (chair_official, other_body):
        with pytest.raises(PermissionDenied):
            services.council_decide(proposal=proposal, status="accepted", actor=person)
    assert not CouncilDecision.objects.exists()


def test_nobody_decides_on_a_proposal_for_their_own_organization():
    # The organizing body also belongs to the bloc and is proposed: its own officials sit
    # on the council, so another council member has to decide.
    council = make_council(1)
    pledge = council.pledges[0]
    MembershipFactory(bloc=pledge.bloc, organization=council.body, first_year=YEAR - 5)
    own = Proposal.objects.create(pledge=pledge, organization=council.body, title=council.flag)
    official = council.official()
    attempts = (
        lambda: services.council_decide(proposal=own, status="accepted", actor=official),
        lambda: services.council_decide(
            proposal=own, status="returned", reason="Tự trả lại", actor=official
        ),
        lambda: services.council_hold(
            proposal=own, reason="inspection", text="Tự tạm dừng", actor=official
        ),
    )
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "đơn vị của chính" in str(caught.value)
    assert not CouncilDecision.objects.exists() and not ProposalHold.objects.exists()
    assigned = UserFactory(username="chuyenvien-hoidong")
    CouncilAssignment.objects.create(
        organizing_body=council.body, user=assigned, first_year=YEAR, last_year=YEAR
    )
    hold = services.council_hold(
        proposal=own, reason="inspection", text="Đang thanh tra", actor=assigned
    )
    with pytest.raises(ValidationError):
        services.council_lift_hold(hold=hold, reason="Đã xong", actor=official)
    services.council_lift_hold(hold=hold, reason="Đã xong", actor=assigned)
    # The same official still decides on the other blocs' units.
    services.council_decide(proposal=council.proposals[0], status="accepted", actor=official)


def test_a_hold_blocks_accepting_until_it_is_lifted_and_both_are_audited():
    council = make_council(1)
    official = council.official()
    proposal = council.proposals[0]
    hold = services.council_hold(
        proposal=proposal, reason="inspection", text="Đang thanh tra tài chính", actor=official
    )
    decision = CouncilDecision.objects.get(proposal=proposal)
    assert decision.status == CouncilDecision.Status.ON_HOLD
    assert "Đang thanh tra tài chính" in decision.reason
    with pytest.raises(ValidationError) as caught:
        services.council_decide(proposal=proposal, status="accepted", actor=official)
    assert "đang tạm dừng xét" in str(caught.value)
    assert CouncilDecision.objects.get(proposal=proposal).status == "on_hold"
    with pytest.raises(ValidationError):
        services.council_hold(proposal=proposal, reason="complaint", text="Khác", actor=official)
    with pytest.raises(ValidationError):
        services.council_lift_hold(hold=hold, reason="", actor=official)
    lifted = "Kết luận thanh tra: không vi phạm"
    services.council_lift_hold(hold=hold, reason=lifted, actor=official)
    services.council_decide(proposal=proposal, status="accepted", actor=official)
    history = list(ProposalHold.history.filter(id=hold.pk).order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[0].history_user == official and history[0].lifted_at is None
    assert history[1].lift_reason == "Kết luận thanh tra: không vi phạm"
    with pytest.raises(ValidationError):
        services.council_lift_hold(hold=hold, reason="lần hai", actor=official)


def test_a_hold_needs_a_known_ground_and_details():
    council = make_council(1)
    with pytest.raises(ValidationError) as caught:
        services.council_hold(
            proposal=council.proposals[0], reason="weather", text="", actor=council.official()
        )
    assert set(caught.value.error_dict) == {"reason", "text"}
    assert not ProposalHold.objects.exists()


def test_accepting_beyond_the_quota_across_blocs_is_refused():
    # 10 blocs, 10 leading collectives: 20% allows 2 flags across them.
    council = make_council(10)
    official = council.official()
    _quota(council)
    first, second, third = council.proposals[:3]
    services.council_decide(proposal=first, status="accepted", actor=official)
    services.council_decide(proposal=second, status="accepted", actor=official)
    with pytest.raises(ValidationError) as caught:
        services.council_decide(proposal=third, status="accepted", actor=official)
    message = str(caught.value)
    assert "vượt chỉ tiêu" in message and "tối đa 2" in message and "20% của 10" in message
    assert not CouncilDecision.objects.filter(proposal=third).exists()
    # accepting the same one again does not count it twice; returning one frees a place
    services.council_decide(proposal=second, status="accepted", actor=official)
    services.council_decide(proposal=second, status="returned", reason="Trùng", actor=official)
    services.council_decide(proposal=third, status="accepted", actor=official)


def test_the_quota_counts_one_collective_leading_two_blocs_once():
    council = make_council(5)
    _quota(council)
    use = services.council_quota_use(CouncilQuota.objects.get())
    assert (use.leading, use.limit, use.proposed) == (5, 1, 5)
    assert use.over


def test_the_bloc_s_secretariat_is_told_of_the_decision_with_its_reason():
    council = make_council(1)
    secretary = OfficialFactory(organization=council.leaders[0], user__username="thuky").user
    services.council_decide(
        proposal=council.proposals[0],
        status="returned",
        reason="Thiếu biên bản bình xét",
        actor=council.official(),
    )
    notice = Notification.objects.get(recipient=secretary, kind="council_decided")
    assert notice.detail == "Thiếu biên bản bình xét"
    assert notice.url.endswith(f"/pledges/{council.pledges[0].pk}/proposals/")

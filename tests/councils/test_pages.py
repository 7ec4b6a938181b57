"""The council page: what it shows (chairs, status, leading units, quotas and who exceeds
them, decisions, holds, the record over years, tie-break marks, the dossier column), its
filters, its constant number of queries, the xlsx export and the bloc's side."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from blocs.models import CouncilAssignment
from pledges import services
from pledges.models import CouncilQuota
from tests.factories import OfficialFactory, UserFactory

from .helpers import YEAR, add_bloc, make_council

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    settings.LANGUAGE_CODE = "vi"
    with translation.override("vi"):
        yield


def _url(council, year=YEAR, **query):
    url = reverse("councils:detail", args=[council.body.pk, year])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _quota(council):
    return CouncilQuota.objects.create(
        organizing_body=council.body, year=YEAR, title=council.flag, max_percent=Decimal("20")
    )


def test_the_page_shows_the_quota_across_blocs_and_who_exceeds_it(client):
    council = make_council(5)
    _quota(council)
    official = council.official()
    # the fourth bloc's unit has the women's priority: it takes the one place
    leader = council.leaders[3]
    leader.led_by_woman = True
    leader.save()
    client.force_login(official)
    response = client.get(_url(council))
    assert response.status_code == 200
    page = response.context["page"]
    (quota,) = page.quotas
    assert (quota.leading, quota.limit, quota.proposed) == (5, 1, 5)
    assert {r.proposal.organization for r in quota.exceeding} == set(council.leaders) - {leader}
    html = response.content.decode()
    assert "5 đề nghị, 0 đã đồng ý; tối đa 1 (20% của 5 tập thể dẫn đầu)." in html
    assert "ưu tiên nữ" in html
    assert html.count('class="small text-danger exceeds"') == 4
    assert "Vượt chỉ tiêu:" in html
    for bloc in council.blocs:
        assert bloc.name in html
    assert "Đơn vị dẫn đầu qua bỏ phiếu" in html
    # each bloc has proposals and nothing of its dossier issued yet
    assert html.count('data-dossier="incomplete"') == 5


def test_an_accepted_flag_keeps_its_place_and_a_returned_one_leaves_the_count(client):
    council = make_council(5)
    _quota(council)
    official = council.official()
    services.council_decide(proposal=council.proposals[4], status="accepted", actor=official)
    services.council_decide(
        proposal=council.proposals[0], status="returned", reason="Chưa đủ", actor=official
    )
    client.force_login(official)
    page = client.get(_url(council)).context["page"]
    (quota,) = page.quotas
    assert (quota.proposed, quota.accepted) == (4, 1)
    rows = {r.proposal.pk: r for r in page.proposals}
    assert not rows[council.proposals[4].pk].exceeds
    assert not rows[council.proposals[0].pk].exceeds
    assert all(rows[p.pk].exceeds for p in council.proposals[1:4])


def test_filters_keep_the_quota_whole(client):
    council = make_council(3)
    _quota(council)
    official = council.official()
    services.council_hold(
        proposal=council.proposals[1], reason="complaint", text="Đơn khiếu nại", actor=official
    )
    client.force_login(official)
    response = client.get(_url(council, status="hold"))
    assert [r.bloc for r in response.context["rows"]] == [council.blocs[1]]
    response = client.get(_url(council, bloc=council.blocs[2].pk))
    assert [r.bloc for r in response.context["rows"]] == [council.blocs[2]]
    assert response.context["page"].quotas[0].proposed == 3
    response = client.get(_url(council, status="bogus", title="x"))
    assert response.status_code == 200 and response.context["rows"] == []


def test_the_record_over_consecutive_years(client):
    council = make_council(1)
    flag = council.flag
    flag.consecutive_years_required = 3
    flag.save()
    official = council.official()
    # the same unit led its bloc in 2018 and 2020, not in 2019
    bloc, leader = council.blocs[0], council.leaders[0]
    from pledges.models import Ballot, BallotCandidate
    from tests.factories import PledgeFactory

    for year, leads in ((2018, True), (2019, False)):
        pledge = PledgeFactory(bloc=bloc, year=year)
        ballot = Ballot.objects.create(
            pledge=pledge, purpose="leading", title="Bầu", members_total=3, present=3,
            issued=3, returned=3, valid=3, invalid=0,
        )  # fmt: skip
        BallotCandidate.objects.create(ballot=ballot, organization=leader, votes=3 if leads else 0)
    client.force_login(official)
    (row,) = client.get(_url(council)).context["page"].proposals
    assert [(m.year, m.held) for m in row.record] == [(2018, True), (2019, False), (2020, True)]
    assert row.eligible is False


def test_the_page_costs_the_same_queries_for_n_and_10n_blocs(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    council = make_council(2)
    _quota(council)
    flag = council.flag
    flag.consecutive_years_required = 5
    flag.save()
    official = council.official()
    client.force_login(official)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(council)).status_code == 200
        return len(queries)

    small = count()
    for n in range(3, 21):
        proposal = add_bloc(council, n)
        services.council_hold(proposal=proposal, reason="inspection", text="TT", actor=official)
    assert count() == small
    assert len(client.get(_url(council)).context["page"].blocs) == 20


def test_the_xlsx_holds_every_proposal_written_formula_safe(client):
    council = make_council(2)
    _quota(council)
    official = council.official()
    services.council_decide(
        proposal=council.proposals[1], status="returned", reason="=HYPERLINK(1)", actor=official
    )
    client.force_login(official)
    response = client.get(reverse("councils:xlsx", args=[council.body.pk, YEAR]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "TỔNG HỢP ĐỀ NGHỊ KHEN THƯỞNG CÁC KHỐI, CỤM THI ĐUA NĂM 2020"
    assert rows[2][:7] == [
        "STT", "Khối/Cụm thi đua", "Trưởng khối/Cụm trưởng", "Đơn vị dẫn đầu",
        "Đơn vị được đề nghị", "Danh hiệu/Hình thức", "Quyết định của Hội đồng",
    ]  # fmt: skip
    proposals = rows[3:5]
    assert [r[4] for r in proposals] == [o.name for o in council.leaders]
    assert [r[6] for r in proposals] == ["Chưa xét", "Trả lại"]
    reason = sheet.cell(row=5, column=8)
    assert reason.value == "=HYPERLINK(1)" and reason.data_type == "s"
    quota_row = next(r for r in rows if r[1] == council.flag.name and r[2] is not None)
    assert quota_row[2:7] == [20, 2, 0, 1, 0]


def test_an_assigned_council_member_reads_its_years_only(client):
    council = make_council(1)
    person = UserFactory(username="chuyenvien")
    CouncilAssignment.objects.create(
        organizing_body=council.body, user=person, first_year=YEAR, last_year=YEAR
    )
    client.force_login(person)
    assert client.get(_url(council)).status_code == 200
    assert client.get(_url(council, year=YEAR + 1)).status_code == 404
    pledge = council.pledges[0]
    assert client.get(reverse("pledges:results", args=[pledge.pk])).status_code == 200
    assert client.get(reverse("pledges:verify", args=[pledge.pk])).status_code == 403
    later = add_bloc(council, 9, year=YEAR + 1)
    assert client.get(reverse("pledges:results", args=[later.pledge_id])).status_code == 404
    (row,) = client.get(reverse("councils:list")).context["rows"]
    assert row[0] == council.body and {YEAR, YEAR + 1} <= set(row[1])


def test_the_bloc_sees_the_return_and_its_reason(client):
    council = make_council(1)
    proposal = council.proposals[0]
    services.council_decide(
        proposal=proposal, status="returned", reason="Thiếu báo cáo thành tích",
        actor=council.official(),
    )  # fmt: skip
    secretary = OfficialFactory(organization=council.leaders[0]).user
    client.force_login(secretary)
    html = client.get(reverse("pledges:proposals", args=[proposal.pledge_id])).content.decode()
    assert f'id="council-decision-{proposal.pk}"' in html
    assert "Trả lại" in html and "Thiếu báo cáo thành tích" in html


def test_deciding_through_the_page_needs_the_confirmation(client):
    council = make_council(1)
    proposal = council.proposals[0]
    client.force_login(council.official())
    url = reverse("councils:decide", args=[proposal.pk])
    response = client.post(url, {"status": "returned", "reason": "Thiếu hồ sơ"})
    assert response.status_code == 200 and "Hãy đánh dấu xác nhận" in response.content.decode()
    response = client.post(url, {"status": "returned", "reason": "", "confirm": "on"})
    assert response.status_code == 200 and "Hãy ghi lý do" in response.content.decode()
    response = client.post(url, {"status": "returned", "reason": "Thiếu hồ sơ", "confirm": "on"})
    assert response.status_code == 302
    assert response.url.endswith(f"#proposal-{proposal.pk}")
    assert proposal.council_decision.reason == "Thiếu hồ sơ"


def test_the_decision_page_of_ones_own_proposal_says_who_decides_and_records_nothing(client):
    from blocs.models import Membership
    from pledges.models import CouncilDecision, Proposal

    council = make_council(1)
    pledge = council.pledges[0]
    Membership.objects.create(bloc=pledge.bloc, organization=council.body, first_year=YEAR)
    own = Proposal.objects.create(pledge=pledge, organization=council.body, title=council.flag)
    client.force_login(council.official())
    url = reverse("councils:decide", args=[own.pk])
    html = client.get(url).content.decode()
    assert 'id="own-proposal"' in html and 'id="confirm"' not in html
    assert 'name="reason"' not in html  # no form to fill that could not be sent
    response = client.post(url, {"status": "accepted", "confirm": "on"})
    assert response.status_code == 200
    assert "đơn vị của chính" in response.content.decode()
    assert not CouncilDecision.objects.filter(proposal=own).exists()
    other = reverse("councils:decide", args=[council.proposals[0].pk])
    assert 'id="confirm"' in client.get(other).content.decode()


def test_the_councils_year_tabs_read_the_years_of_its_seat():
    """`read_years` (the year tabs and the default year of a bloc's lists): the body's own
    officials every year, an assigned person the years of the seat, anyone else none."""
    from blocs.rules import read_years

    council = make_council(1)
    bloc = council.blocs[0]
    reads = read_years(council.official(), bloc.pk)
    assert reads(YEAR - 5) and reads(YEAR)
    seated = UserFactory()
    CouncilAssignment.objects.create(
        user=seated, organizing_body=council.body, first_year=YEAR, last_year=YEAR
    )
    reads = read_years(seated, bloc.pk)
    assert reads(YEAR) and not reads(YEAR - 1) and not reads(YEAR + 1)
    assert not read_years(UserFactory(), bloc.pk)(YEAR)


def test_the_dashboard_leads_a_council_official_to_the_council_page(
    client, django_assert_max_num_queries
):
    council = make_council(2)
    official = council.official()
    client.force_login(official)
    home = reverse("home")
    html = client.get(home).content.decode()
    assert 'id="my-councils"' in html
    from blocs.models import current_year

    assert reverse("councils:detail", args=[council.body.pk, current_year()]) in html
    # A member of one of its blocs sits on no council: no card.
    client.force_login(OfficialFactory(organization=council.leaders[0]).user)
    assert 'id="my-councils"' not in client.get(home).content.decode()

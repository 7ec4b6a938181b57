"""Results pages: the score table and ranking (ties, classification, comma decimals),
ballots and their outcomes, proposals within quotas, the xlsx and the SVG charts, with a
constant number of queries. Who may open which URL is `tests/test_access_matrix.py`."""

import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from blocs.models import Attendance, Meeting
from pledges.models import (
    Adjustment,
    Ballot,
    BallotCandidate,
    CommendationQuota,
    Pledge,
    Proposal,
    Score,
    ScoreSheet,
)
from tests.blocs.test_views import _assert_constant
from tests.factories import (
    CriterionFactory,
    EmulationTitleFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeFactory,
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def scoring(pledge) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.SCORING)
    pledge.refresh_from_db()
    return pledge


def url(name, *args, query=""):
    return reverse(f"pledges:{name}", args=args) + query


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def leaves(pledge) -> dict:
    return {c.code: c for c in pledge.criteria.filter(children__isnull=True)}


def score(pledge, org, values: dict, round=ScoreSheet.Round.SELF, submitted=True):
    """A sheet written straight to the database (the services are tested elsewhere)."""
    sheet = ScoreSheet.objects.create(
        pledge=pledge,
        organization=org,
        round=round,
        status=ScoreSheet.Status.SUBMITTED if submitted else ScoreSheet.Status.DRAFT,
        submitted_at=timezone.now() if submitted else None,
    )
    crit = leaves(pledge)
    for code, value in values.items():
        points, bonus = value if isinstance(value, tuple) else (value, 0)
        Score.objects.create(sheet=sheet, criterion=crit[code], points=points, bonus=bonus)
    return sheet


@pytest.fixture
def scored(world, scoring) -> Pledge:
    """orgs[0] 95 (rank 1), orgs[1] and orgs[2] 80 (tied even after the tie-breaks),
    orgs[3] 60,5 − 0,5 = 60."""
    o = world.orgs
    score(scoring, o[0], {"A1": 15, "A2": 25, "B1": 55})
    score(scoring, o[1], {"A1": 10, "A2": 20, "B1": 50})
    score(scoring, o[2], {"A1": 12, "A2": 18, "B1": 50})
    score(scoring, o[3], {"A1": 10, "A2": 10, "B1": Decimal("40.5")})
    Adjustment.objects.create(
        pledge=scoring, organization=o[3], kind="penalty", points=Decimal("0.5"), reason="Chậm"
    )
    return scoring


# Results page ------------------------------------------------------------------------


def test_results_table_ranks_ties_and_classification(world, scored, client_for):
    response = client_for("member").get(url("results", scored.pk))
    assert response.status_code == 200
    members = response.context["results"].members
    assert [m.organization for m in members][0] == world.orgs[0]
    assert [m.rank for m in members] == [1, 2, 2, 4]
    content = response.content.decode()
    assert "2<span" in content and ">=</span>" in content  # shared rank marked "="
    assert "Still tied with" in content  # the tie note
    assert "Hoàn thành xuất sắc nhiệm vụ" in content and "Hoàn thành tốt nhiệm vụ" in content
    assert "max 40" in content and "max 60" in content  # group maxima in the header
    assert 'id="chart-groups"' in content
    assert url("chart_rank", scored.pk, world.orgs[2].pk) in content  # my organization
    assert url("results_xlsx", scored.pk) in content


def test_results_numbers_use_comma_decimals_in_vietnamese(world, scored, client_for, settings):
    settings.LANGUAGE_CODE = "vi"
    content = client_for("member").get(url("results", scored.pk)).content.decode()
    assert "40,50" in content and "60,50" in content  # group B and base of orgs[3]
    assert "−0,50" in content  # its penalty


def test_results_skip_draft_sheets(world, scoring, client_for):
    score(scoring, world.orgs[1], {"A1": 15, "A2": 25, "B1": 60}, submitted=False)
    response = client_for("member").get(url("results", scoring.pk))
    assert not any(m.scored for m in response.context["results"].members)
    assert 'id="chart-groups"' not in response.content.decode()


def test_results_queries_do_not_grow(world, client_for, django_assert_num_queries):
    """3 members × 3 criteria, then 12 × 10: the same number of queries."""
    pledge = PledgeFactory(bloc=world.bloc, year=timezone.localdate().year, status="scoring")
    groups = [CriterionFactory(pledge=pledge, code=f"G{i}", max_points=30) for i in range(3)]
    for g in groups:
        CriterionFactory(pledge=pledge, parent=g, code=f"{g.code}.1", max_points=30)
    for org in world.orgs[:3]:
        score(pledge, org, {f"G{i}.1": 20 + i for i in range(3)})
    title = EmulationTitleFactory()
    CommendationQuota.objects.create(pledge=pledge, title=title, max_percent=20, base="leading")
    _ballot(pledge, world.orgs[:2], votes=[3, 1])
    Proposal.objects.create(pledge=pledge, organization=world.orgs[0], title=title)

    def grow():
        new = []
        for i in range(3, 10):
            g = CriterionFactory(pledge=pledge, code=f"G{i}", max_points=10)
            CriterionFactory(pledge=pledge, parent=g, code=f"G{i}.1", max_points=10)
        for _ in range(8):
            org = OrganizationFactory()
            MembershipFactory(bloc=world.bloc, organization=org, first_year=pledge.year)
            new.append(org)
        for org in new:
            score(pledge, org, {f"G{i}.1": 5 for i in range(10)})
        for i in range(3):
            _ballot(pledge, new[i : i + 3], votes=[2, 1, 1])
            other = EmulationTitleFactory()
            Proposal.objects.create(pledge=pledge, organization=new[i], title=other)

    client = client_for("member")
    count = _assert_constant(client, url("results", pledge.pk), grow, django_assert_num_queries)
    assert len(client.get(url("results", pledge.pk)).context["results"].members) == 12
    # session, user, pledge+bloc, members (2), criteria, scores, adjustments, official org
    # (the official with its organization, blocs.models.official_of, which the navbar reads
    # too; its membership is one of the spans below), ballots+candidates (2), proposals,
    # quotas, secretariat (blocs.rules.secretariat_spans, one union), the bell, the blocs and
    # years the user reads (blocs.models.read_spans: the pledge is read by its key, then the
    # policy)
    assert count == 16


def test_results_xlsx_has_the_rows_and_ranks_of_the_page(world, scored, client_for):
    client = client_for("member")
    page = client.get(url("results", scored.pk)).context["results"]
    response = client.get(url("results_xlsx", scored.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[4]]
    rows = list(sheet.iter_rows(min_row=5, max_row=4 + len(page.members), values_only=True))
    # The layout of the report's Phụ lục 1, in the documents' language.
    assert header[:2] == ["STT", "Đơn vị"]
    assert header[2].startswith("A. ") and header[2].endswith("(tối đa 40,00)")
    rank, total = header.index("Xếp hạng"), header.index("Tổng điểm")
    assert [r[1] for r in rows] == [m.organization.name for m in page.members]
    # Ranks and points are numbers (sortable, summable), not text.
    assert [r[rank] for r in rows] == [m.rank if m.scored else None for m in page.members]
    assert all(isinstance(r[rank], int) for r in rows if r[rank] is not None)
    assert [Decimal(str(r[total])) for r in rows if r[total] is not None] == [
        m.total for m in page.members if m.scored
    ]


def test_results_xlsx_prints_landscape_fitted_with_repeated_headers(world, scored, client_for):
    response = client_for("member").get(url("results_xlsx", scored.pk))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$4"
    assert {sheet.cell(4, c).font.name for c in range(1, sheet.max_column + 1)} == {
        "Times New Roman"
    }
    assert sheet.cell(5, 2).font.name == "Times New Roman"


def test_chart_groups_is_svg_with_the_names(world, scored, client_for):
    response = client_for("member").get(url("chart_groups", scored.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 -- our own SVG
    assert root.tag.endswith("svg")
    text = response.content.decode()
    for org in world.orgs:
        assert org.short_name in text


def test_chart_rank_over_years(world, scored, client_for):
    previous = PledgeFactory(bloc=world.bloc, year=scored.year - 1, status="closed")
    g = CriterionFactory(pledge=previous, code="X", max_points=10)
    leaf = CriterionFactory(pledge=previous, parent=g, code="X1", max_points=10)
    for i, org in enumerate(world.orgs):
        sheet = ScoreSheet.objects.create(
            pledge=previous, organization=org, round="self", status="submitted"
        )
        Score.objects.create(sheet=sheet, criterion=leaf, points=i + 1)
    response = client_for("member").get(url("chart_rank", scored.pk, world.orgs[2].pk))
    assert response["Content-Type"].startswith("image/svg+xml")
    ET.fromstring(response.content)  # noqa: S314 -- our own SVG
    text = response.content.decode()
    assert world.orgs[2].name in text
    assert str(scored.year - 1) in text and str(scored.year) in text


def test_chart_rank_of_a_non_member_is_404(world, scored, client_for):
    response = client_for("member").get(url("chart_rank", scored.pk, world.outsider_org.pk))
    assert response.status_code == 404


# Ballots -----------------------------------------------------------------------------


def _ballot(pledge, orgs, votes, **counts):
    n = len(orgs) + 2
    data = {
        "members_total": n,
        "present": n,
        "issued": n,
        "returned": n,
        "valid": n,
        "invalid": 0,
        **counts,
    }
    ballot = Ballot.objects.create(pledge=pledge, purpose="leading", title="Bầu dẫn đầu", **data)
    for org, v in zip(orgs, votes, strict=True):
        BallotCandidate.objects.create(ballot=ballot, organization=org, votes=v)
    return ballot


def ballot_data(world, pledge, **overrides) -> dict:
    data = {
        "meeting": "",
        "purpose": "leading",
        "title": "Suy tôn đơn vị dẫn đầu",
        "members_total": 4,
        "present": 4,
        "issued": 4,
        "returned": 4,
        "valid": 4,
        "invalid": 0,
        "tellers": "Nguyễn Văn A – Trưởng ban",
        "candidates-TOTAL_FORMS": 4,
        "candidates-INITIAL_FORMS": 4,
    }
    for i, org in enumerate(world.orgs):
        data[f"candidates-{i}-organization"] = org.pk
        data[f"candidates-{i}-votes"] = ""
    data["candidates-0-votes"] = 3
    data["candidates-1-votes"] = 1
    data.update(overrides)
    return data


def test_record_a_ballot_and_read_the_outcome(world, scoring, client_for):
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=scoring.year,
        kind=Meeting.Kind.YEAR_END,
        title="Hội nghị tổng kết",
        starts_at=timezone.now(),
        place="Hải Phòng",
    )
    for org in world.orgs:
        Attendance.objects.create(meeting=meeting, organization=org)
    client = client_for("secretariat")
    page = client.get(url("ballots", scoring.pk))
    assert list(page.context["form"].fields["meeting"].queryset) == [meeting]
    response = client.post(
        url("ballots", scoring.pk), ballot_data(world, scoring, meeting=meeting.pk)
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.meeting == meeting
    assert {c.organization: c.votes for c in ballot.candidates.all()} == {
        world.orgs[0]: 3,
        world.orgs[1]: 1,
    }
    content = client.get(url("ballots", scoring.pk)).content.decode()
    assert "75.00% of 4 members" in content or "75,00% of 4 members" in content
    assert "leading unit" in content


def test_the_ballot_form_takes_present_from_the_review_and_refuses_another_count(
    world, scoring, client_for
):
    """5 of 6 attended: a ballot typed with 6 present would pass at 83,33% instead of 80%."""
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=scoring.year,
        kind=Meeting.Kind.YEAR_END,
        title="Hội nghị tổng kết",
        starts_at=timezone.now(),
        place="Hải Phòng",
    )
    for org in world.orgs:
        status = "excused" if org == world.orgs[3] else "present"
        Attendance.objects.create(meeting=meeting, organization=org, status=status)
    Pledge.objects.filter(pk=scoring.pk).update(review_meeting=meeting)
    client = client_for("secretariat")
    form = client.get(url("ballots", scoring.pk)).context["form"]
    assert (form.initial["meeting"], form.initial["present"]) == (meeting.pk, 3)
    response = client.post(url("ballots", scoring.pk), ballot_data(world, scoring))
    assert response.status_code == 302  # no meeting: nothing to check it against
    Ballot.objects.all().delete()
    response = client.post(
        url("ballots", scoring.pk), ballot_data(world, scoring, meeting=meeting.pk)
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Members present (4) does not match the attendance recorded for" in content
    assert "3 of 4 members attended" in content
    assert not Ballot.objects.exists()


def test_ballot_ratio_names_its_base(world, scoring, client_for, settings):
    settings.LANGUAGE_CODE = "vi"
    orgs = world.orgs[:2]
    _ballot(
        scoring, orgs, votes=[6, 5], members_total=11, present=10, issued=10, returned=10, valid=10
    )
    content = client_for("member").get(url("results", scoring.pk)).content.decode()
    assert "54,55%" in content  # 6 of 11 members, comma decimals


def test_inconsistent_ballot_counts_are_refused(world, scoring, client_for):
    client = client_for("secretariat")
    response = client.post(
        url("ballots", scoring.pk), ballot_data(world, scoring, valid=3, invalid=0)
    )
    assert response.status_code == 200
    assert "must add up to the ballots returned (4)" in response.content.decode()
    assert not Ballot.objects.exists()
    response = client.post(url("ballots", scoring.pk), ballot_data(world, scoring, present=5))
    assert "cannot be more than the members in all (4)" in response.content.decode()
    response = client.post(
        url("ballots", scoring.pk), ballot_data(world, scoring, **{"candidates-0-votes": 9})
    )
    assert "more than the valid ballots (4)" in response.content.decode()
    assert not Ballot.objects.exists()


def test_ballot_delete_asks_first(world, scoring, client_for):
    ballot = _ballot(scoring, world.orgs[:2], votes=[3, 1])
    client = client_for("secretariat")
    confirm = client.get(url("ballot_delete", ballot.pk))
    assert confirm.status_code == 200 and "Bầu dẫn đầu" in confirm.content.decode()
    assert client.post(url("ballot_delete", ballot.pk)).status_code == 302
    assert not Ballot.objects.exists()


def test_members_read_ballots_but_cannot_record(world, scoring, client_for):
    _ballot(scoring, world.orgs[:2], votes=[3, 1])
    client = client_for("member")
    page = client.get(url("ballots", scoring.pk))
    assert page.status_code == 200 and 'id="ballot-form"' not in page.content.decode()
    assert client.post(url("ballots", scoring.pk), ballot_data(world, scoring)).status_code == 403


def test_ballots_are_refused_in_a_closed_year(world, scoring, client_for):
    Pledge.objects.filter(pk=scoring.pk).update(status=Pledge.Status.CLOSED)
    client = client_for("secretariat")
    page = client.get(url("ballots", scoring.pk))
    assert "is closed" in page.content.decode()
    assert 'id="ballot-form"' not in page.content.decode()
    response = client.post(url("ballots", scoring.pk), ballot_data(world, scoring), follow=True)
    assert any("is closed" in m for m in messages_of(response))
    assert not Ballot.objects.exists()


# Proposals ---------------------------------------------------------------------------


@pytest.fixture
def flag(scoring):
    title = EmulationTitleFactory(code="co-thi-dua", name="Cờ thi đua của UBND thành phố")
    CommendationQuota.objects.create(pledge=scoring, title=title, max_percent=Decimal("25"))
    return title


def test_add_a_proposal_and_see_the_quota_usage(world, scoring, flag, client_for):
    client = client_for("secretariat")
    data = {"organization": world.orgs[0].pk, "title": flag.pk, "achievements": "Dẫn đầu"}
    assert client.post(url("proposals", scoring.pk), data).status_code == 302
    content = client.get(url("proposals", scoring.pk)).content.decode()
    assert "1 of 1 allowed: 25% of 4 members = 1" in content
    assert "Cờ thi đua của UBND thành phố" in content


def test_a_proposal_over_the_quota_shows_the_numbers(world, scoring, flag, client_for):
    Proposal.objects.create(pledge=scoring, organization=world.orgs[0], title=flag)
    client = client_for("secretariat")
    data = {"organization": world.orgs[1].pk, "title": flag.pk}
    response = client.post(url("proposals", scoring.pk), data)
    assert response.status_code == 200
    assert "at most 1 proposal(s) this year (25% of 4 members = 1); 1 already proposed" in (
        response.content.decode()
    )
    assert Proposal.objects.count() == 1


def test_proposal_delete_asks_first(world, scoring, flag, client_for):
    proposal = Proposal.objects.create(pledge=scoring, organization=world.orgs[0], title=flag)
    client = client_for("secretariat")
    confirm = client.get(url("proposal_delete", proposal.pk))
    assert world.orgs[0].name in confirm.content.decode()
    assert client.post(url("proposal_delete", proposal.pk)).status_code == 302
    assert not Proposal.objects.exists()
    assert client_for("member").get(url("proposals", scoring.pk)).status_code == 200


def test_results_xlsx_queries_do_not_grow(world, client_for, django_assert_num_queries):
    """3 members, then 11 with self and verified sheets, adjustments and registrations."""
    pledge = PledgeFactory(bloc=world.bloc, year=timezone.localdate().year, status="scoring")
    group = CriterionFactory(pledge=pledge, code="G", max_points=30)
    CriterionFactory(pledge=pledge, parent=group, code="G.1", max_points=30)
    for org in world.orgs[:3]:
        score(pledge, org, {"G.1": 20})
    title = EmulationTitleFactory()
    pledge.registrations.create(organization=world.orgs[0]).titles.add(title)

    def grow():
        for i in range(8):
            org = OrganizationFactory()
            MembershipFactory(bloc=world.bloc, organization=org, first_year=pledge.year)
            score(pledge, org, {"G.1": 10 + i})
            score(pledge, org, {"G.1": 9 + i}, round=ScoreSheet.Round.VERIFIED)
            pledge.adjustments.create(organization=org, kind="bonus", points=1, reason="Tốt")
            pledge.registrations.create(organization=org).titles.add(title)

    count = _assert_constant(
        client_for("member"), url("results_xlsx", pledge.pk), grow, django_assert_num_queries
    )
    assert count <= 20


HOSTILE_NAME = '=HYPERLINK("http://x","y")'


def test_results_xlsx_writes_a_formula_like_name_as_text(world, scored, client_for):
    # An organization named like a formula must reach the spreadsheet as the text it is.
    org = world.orgs[0]
    org.name = HOSTILE_NAME
    org.short_name = "+cmd|' /C calc'!A0"
    org.save()
    response = client_for("member").get(url("results_xlsx", scored.pk))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == HOSTILE_NAME]
    assert cells, "the name is in the sheet"
    for cell in cells:
        assert cell.data_type == "s", "a formula, not a text"
        assert cell.quotePrefix
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]

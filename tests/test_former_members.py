"""A former member organization reads only the years it was a member of (issue 14): the
meetings, pledges (results, scores, evidence), documents and attachments of the later years
are refused as they are to outsiders (404), and the bloc's own pages list only its years."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import Meeting, MeetingAttachment, current_year

from . import test_access_matrix as matrix
from .factories import MembershipFactory, OfficialFactory, OrganizationFactory, PledgeFactory

YEAR = current_year()
LEFT = YEAR - 2  # the former member's last year


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def former(world):
    org = OrganizationFactory(name="Hội Cựu chiến binh thành phố", short_name="Hội CCB")
    MembershipFactory(bloc=world.bloc, organization=org, first_year=YEAR - 3, last_year=LEFT)
    return OfficialFactory(organization=org, user__username="former_member").user


def _meeting(world, year):
    return matrix._year_meeting(world, year)["pk"]


def _attachment(world, year):
    meeting = Meeting.objects.get(pk=_meeting(world, year))
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
    found = MeetingAttachment(
        meeting=meeting,
        kind=MeetingAttachment.Kind.DOCUMENT,
        title="Biên bản",
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=upload.size,
    )
    found.file.save(upload.name, upload)
    return found.pk


def _scoring(world, year):
    return _pledge_in(world, year, "scoring")


def _pledge_in(world, year, status="open"):
    # open for signing: a draft is its secretariat's alone (issue 12), whatever the year
    from tests.factories import CriterionFactory

    pledge = PledgeFactory(bloc=world.bloc, year=year, status=status)
    group = CriterionFactory(pledge=pledge, code="A", max_points=10)
    CriterionFactory(pledge=pledge, parent=group, code="A1", max_points=10)
    return pledge.pk


def _evidence(world, year):
    from pledges.models import Evidence, Pledge, Score, ScoreSheet

    pledge = Pledge.objects.get(pk=_pledge_in(world, year, "scoring"))
    sheet = ScoreSheet.objects.create(
        pledge=pledge, organization=world.orgs[3], round="self", status="submitted"
    )
    score = Score.objects.create(sheet=sheet, criterion=pledge.criteria.get(code="A1"), points=5)
    upload = SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4\n%%EOF\n")
    evidence = Evidence(
        score=score, original_name=upload.name, content_type="application/pdf", size=upload.size
    )
    evidence.file.save(upload.name, upload)
    return evidence.pk


def _report(world, year):
    from tests.reports.helpers import make_draft, make_issued

    # the issued build: a draft document's builds are the secretariat's alone (issue 12)
    draft = make_draft(world.bloc, year, signer_name="Vũ Thị Bích Liên", issuer=world.orgs[0])
    return make_issued(draft).pk


#  url name, how to make its object for a year
PAGES = [
    ("blocs:meeting_detail", _meeting),
    ("blocs:meeting_ics", _meeting),
    ("blocs:attachment_download", _attachment),
    ("pledges:pledge_detail", _pledge_in),
    ("pledges:results", _scoring),
    ("pledges:results_xlsx", _scoring),
    ("pledges:registration_list", _pledge_in),
    ("pledges:evidence_download", _evidence),
    ("reports:report_status", _report),
    ("reports:report_download", _report),
]


@pytest.mark.parametrize(("name", "make"), PAGES, ids=[name for name, _ in PAGES])
def test_a_former_member_reads_its_years_and_not_the_later_ones(name, make, world, former, client):
    client.force_login(former)
    own = reverse(name, args=[make(world, LEFT)])
    later = reverse(name, args=[make(world, YEAR)])
    assert client.get(own).status_code == 200
    assert client.get(later).status_code == 404
    # a current member reads both
    client.force_login(world.users["member"])
    assert client.get(later).status_code == 200


@pytest.mark.parametrize("name", ["blocs:meeting_list", "reports:report_list"])
def test_a_former_member_s_year_lists(name, world, former, client):
    client.force_login(former)
    url = reverse(name, args=[world.bloc.pk])
    assert client.get(url, {"year": LEFT}).status_code == 200
    assert client.get(url, {"year": YEAR}).status_code == 404
    assert client.get(url, {"year": YEAR - 1}).status_code == 404


@pytest.mark.parametrize("name", ["blocs:meeting_list", "reports:report_list"])
def test_a_former_member_s_list_opens_on_its_last_year(name, world, former, client):
    """Without ?year= the list shows this year, which a former member cannot read: it opens
    on the last year it was a member instead of a 404, and offers only its own years."""
    _meeting(world, LEFT)
    _meeting(world, YEAR)
    client.force_login(former)
    response = client.get(reverse(name, args=[world.bloc.pk]))
    assert response.status_code == 200
    assert response.context["year"] == LEFT
    assert YEAR not in response.context["years"] and LEFT in response.context["years"]
    assert YEAR - 1 not in response.context["years"]
    # a current member still opens on this year, and an outsider still gets a 404
    client.force_login(world.users["member"])
    response = client.get(reverse(name, args=[world.bloc.pk]))
    assert response.context["year"] == YEAR and YEAR in response.context["years"]
    client.force_login(world.users["outsider"])
    assert client.get(reverse(name, args=[world.bloc.pk])).status_code == 404


def test_the_bloc_s_pages_list_only_the_former_member_s_years(world, former, client):
    own = Meeting.objects.get(pk=_meeting(world, LEFT))
    later = Meeting.objects.get(pk=_meeting(world, YEAR))
    old_pledge, new_pledge = _pledge_in(world, LEFT), _pledge_in(world, YEAR)
    client.force_login(former)
    detail = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    assert detail.status_code == 200
    assert [m.pk for m in detail.context["page"].meetings] == [own.pk]
    ics = client.get(reverse("blocs:bloc_ics", args=[world.bloc.pk])).content.decode()
    assert ics.count("BEGIN:VEVENT") == 1
    pledges = client.get(reverse("pledges:pledge_list", args=[world.bloc.pk]))
    assert [p.pk for p in pledges.context["pledges"]] == [old_pledge]
    # the current member sees both
    client.force_login(world.users["member"])
    detail = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    assert {m.pk for m in detail.context["page"].meetings} == {own.pk, later.pk}
    pledges = client.get(reverse("pledges:pledge_list", args=[world.bloc.pk]))
    assert {p.pk for p in pledges.context["pledges"]} == {old_pledge, new_pledge}


def test_the_dashboard_shows_no_upcoming_meeting_of_a_later_year(world, former, client):
    from django.utils import timezone

    Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.OTHER,
        title="Tọa đàm chuyên đề quý IV",
        starts_at=timezone.now() + timezone.timedelta(days=3),
        place="Hải Phòng",
    )
    client.force_login(former)
    assert "Tọa đàm chuyên đề quý IV" not in client.get(reverse("home")).content.decode()
    client.force_login(world.users["member"])
    assert "Tọa đàm chuyên đề quý IV" in client.get(reverse("home")).content.decode()

"""Who gets what from every named URL, built from the URL resolver.

`MATRIX` holds one row per URL name: how to build its kwargs from the `world`
fixture, and the status each role gets for a GET, in the order of
`conftest.ROLES` (anonymous, outsider, member, secretariat, admin, staff,
council).
`LOGIN` means "302 to the login page". The admin is a superuser; "staff" has
the staff flag only (the Django admin opens for it): the portal gives it no
right, so its column is the outsider's. "council" is an official of the body that organizes
the bloc (`Bloc.organizing_body`): it reads every bloc of that body like a member and writes
none of their things; it alone (with the admin) decides on the proposals.

A URL added without a row fails `test_every_named_url_has_a_row`; a row for a
removed URL fails it as well. The admin (namespace `admin:`) is left to its own
tests and listed in `COVERED_ELSEWHERE` so that skipping it is explicit.

Notes on rows that are not plain 200s:
- logout only accepts POST (Django 5): a logged-in GET is 405; an anonymous GET
  never reaches the view (LoginRequiredMiddleware redirects to the login page).
- set_language is wrapped in `login_not_required` (the switcher is on the login
  page); a GET changes nothing and redirects to "/" for everyone, which the
  anonymous row checks is not the login page.
- the login and password-reset pages are `login_not_required`: 200 for all.
- password_reset_confirm with a bad token renders the "invalid link" page: 200.
"""

from collections.abc import Callable
from typing import NamedTuple

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from blocs.models import Meeting, MeetingAttachment, current_year

from .conftest import ROLES

LOGIN = "login"  # expected: a redirect to the login page
COVERED_ELSEWHERE = ("admin:",)


class Row(NamedTuple):
    kwargs: Callable[[object], dict]
    expected: tuple  # one entry per role in ROLES order


def no_kwargs(world) -> dict:
    return {}


def bloc(world) -> dict:
    return {"pk": world.bloc.pk}


def member_org(world) -> dict:
    return {"pk": world.orgs[0].pk}


def meeting(world) -> dict:
    return {"pk": _meeting(world).pk}


def _meeting(world):
    return Meeting.objects.create(
        bloc=world.bloc,
        year=current_year(),
        kind=Meeting.Kind.OTHER,
        title="Hội nghị",
        starts_at=timezone.now(),
        place="Hải Phòng",
    )


def attachment(world) -> dict:
    # MEDIA_ROOT is a temporary folder (the `_media` fixture below).
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
    found = MeetingAttachment(
        meeting=_meeting(world),
        kind=MeetingAttachment.Kind.DOCUMENT,
        title="Biên bản",
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=upload.size,
    )
    found.file.save(upload.name, upload)
    return {"pk": found.pk}


def bad_reset_token(world) -> dict:
    return {"uidb64": "MQ", "token": "bad-token"}


# pledges: pledge, signing, registration (issue 4) -- a pledge of the bloc for this year.
def d1_pledge(world) -> dict:
    from tests.factories import PledgeFactory

    return {"pk": PledgeFactory(bloc=world.bloc, year=current_year()).pk}


def d1_open_pledge(world) -> dict:
    from tests.factories import PledgeFactory

    return {"pk": PledgeFactory(bloc=world.bloc, year=current_year(), status="open").pk}


# reports (issue 5) -- a year-end draft of the bloc for this year, and one build of it.
def c1_draft(world) -> dict:
    from tests.reports.helpers import make_draft

    return {"pk": make_draft(world.bloc, current_year()).pk}


def c1_report(world) -> dict:
    from tests.reports.helpers import make_draft, make_report

    return {"pk": make_report(make_draft(world.bloc, current_year())).pk}


# reports: issuing (issue 11) -- an issued document of the bloc for this year.
def c2_issued(world) -> dict:
    from tests.reports.helpers import make_draft, make_issued

    draft = make_draft(world.bloc, current_year())
    make_issued(draft)
    return {"pk": draft.pk}


# reports: the commendation dossier (issue 16) -- its memo issued, so the archive has a file.
def e16_dossier_issued(world) -> dict:
    from tests.reports.helpers import make_draft, make_issued

    make_issued(make_draft(world.bloc, current_year(), kind="proposal_memo"))
    return {"pk": world.bloc.pk}


# pledges: scoring, ballots, proposals, results (issue 4) -- a pledge in scoring this year.
def d2_pledge(world, **fields):
    from tests.factories import CriterionFactory, PledgeFactory

    fields = {"status": "scoring", **fields}
    pledge = PledgeFactory(bloc=world.bloc, year=current_year(), **fields)
    group = CriterionFactory(pledge=pledge, code="A", max_points=10)
    CriterionFactory(pledge=pledge, parent=group, code="A1", max_points=10)
    return pledge


def d2_scoring(world) -> dict:
    return {"pk": d2_pledge(world).pk}


def d2_cross(world) -> dict:
    return {"pk": d2_pledge(world, scoring_method="cross_average").pk, "org": world.orgs[3].pk}


def d2_rank(world) -> dict:
    return {"pk": d2_pledge(world).pk, "org": world.orgs[2].pk}


def d2_submitted_sheet(world) -> dict:
    # Another member's submitted self sheet, which the secretariat may send back.
    from pledges.models import ScoreSheet

    pledge = d2_pledge(world)
    org = world.orgs[3]
    ScoreSheet.objects.create(pledge=pledge, organization=org, round="self", status="submitted")
    return {"pk": pledge.pk, "org": org.pk}


def d2_evidence(world) -> dict:
    # A submitted self sheet of another member: every member may read its evidence.
    from pledges.models import Evidence, Score, ScoreSheet

    pledge = d2_pledge(world)
    sheet = ScoreSheet.objects.create(
        pledge=pledge, organization=world.orgs[3], round="self", status="submitted"
    )
    score = Score.objects.create(sheet=sheet, criterion=pledge.criteria.get(code="A1"), points=5)
    upload = SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4\n%%EOF\n")
    evidence = Evidence(
        score=score, original_name=upload.name, content_type="application/pdf", size=upload.size
    )
    evidence.file.save(upload.name, upload)
    return {"pk": evidence.pk}


def d2_ballot(world) -> dict:
    from pledges.models import Ballot

    counts = {"members_total": 4, "present": 4, "issued": 4, "returned": 4, "valid": 4}
    ballot = Ballot.objects.create(
        pledge=d2_pledge(world), purpose="leading", title="Bầu", invalid=0, **counts
    )
    return {"pk": ballot.pk}


def d2_proposal(world) -> dict:
    from pledges.models import Proposal
    from tests.factories import EmulationTitleFactory

    proposal = Proposal.objects.create(
        pledge=d2_pledge(world), organization=world.orgs[0], title=EmulationTitleFactory()
    )
    return {"pk": proposal.pk}


# notifications (issue 13) -- the member's own notice, unsubscribe token and calendar key.
def n13_member_notice(world) -> dict:
    from notifications.models import Notification

    notice = Notification.objects.create(
        recipient=world.users["member"], kind="pledge_opened", event_key="e", url="/blocs/"
    )
    return {"pk": notice.pk}


def n13_unsubscribe(world) -> dict:
    from notifications.services import unsubscribe_token

    return {"token": unsubscribe_token(world.users["member"].pk)}


def n13_feed(world) -> dict:
    from notifications.services import calendar_regenerate

    return {"token": calendar_regenerate(user=world.users["member"]).calendar_token}


# councils (issue 16) -- the council page of the bloc's organizing body this year; a
# proposal of the bloc, and an active hold on one.
def i16_council(world) -> dict:
    return {"body": world.bloc.organizing_body_id, "year": current_year()}


def i16_hold(world) -> dict:
    from pledges.models import Proposal, ProposalHold

    proposal = Proposal.objects.get(pk=d2_proposal(world)["pk"])
    hold = ProposalHold.objects.create(
        proposal=proposal, reason="inspection", text="Đang thanh tra", placed_at=timezone.now()
    )
    return {"pk": hold.pk}


#                  anonymous  outsider  member  secretariat  admin  staff  council
MATRIX: dict[str, Row] = {
    "home": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    # Public: the container healthchecks and the proxy ask it (no login, no detail).
    "health": Row(no_kwargs, (200, 200, 200, 200, 200, 200, 200)),
    "login": Row(no_kwargs, (200, 200, 200, 200, 200, 200, 200)),
    "logout": Row(no_kwargs, (LOGIN, 405, 405, 405, 405, 405, 405)),
    "password_change": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "password_change_done": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "password_reset": Row(no_kwargs, (200, 200, 200, 200, 200, 200, 200)),
    "password_reset_done": Row(no_kwargs, (200, 200, 200, 200, 200, 200, 200)),
    "password_reset_confirm": Row(bad_reset_token, (200, 200, 200, 200, 200, 200, 200)),
    "password_reset_complete": Row(no_kwargs, (200, 200, 200, 200, 200, 200, 200)),
    "set_language": Row(no_kwargs, (302, 302, 302, 302, 302, 302, 302)),
    "blocs:bloc_list": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "blocs:search": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "blocs:bloc_detail": Row(bloc, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:bloc_edit": Row(bloc, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:organization_detail": Row(member_org, (LOGIN, 404, 200, 200, 200, 404, 200)),
    # Meetings: members read; the secretariat of the meeting's year writes.
    "blocs:meeting_list": Row(bloc, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:meeting_create": Row(bloc, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:bloc_ics": Row(bloc, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:meeting_detail": Row(meeting, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:meeting_ics": Row(meeting, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:meeting_attendance_xlsx": Row(meeting, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:meeting_edit": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_record": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_hold": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_all_present": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_approve": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_reopen": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_elect": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_membership": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:attachment_add": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:attachment_download": Row(attachment, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "blocs:attachment_delete": Row(attachment, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_decision": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "blocs:meeting_cancel": Row(meeting, (LOGIN, 404, 403, 200, 200, 404, 403)),
    # --- pledges: pledge, signing, registration (issue 4) ---
    # Members read; the secretariat of the pledge's year writes; officials sign/register.
    "pledges:pledge_list": Row(bloc, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:bloc_history": Row(bloc, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:pledge_create": Row(bloc, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:pledge_detail": Row(d1_pledge, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "pledges:pledge_edit": Row(d1_pledge, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "pledges:pledge_items": Row(d1_pledge, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "pledges:pledge_criteria": Row(d1_pledge, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "pledges:pledge_status": Row(d1_pledge, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "pledges:pledge_sign": Row(d1_open_pledge, (LOGIN, 404, 200, 200, 200, 404, 403)),
    "pledges:registration": Row(d1_open_pledge, (LOGIN, 404, 200, 200, 200, 404, 403)),
    "pledges:registration_list": Row(d1_pledge, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "pledges:registrations_xlsx": Row(d1_open_pledge, (LOGIN, 404, 200, 200, 200, 404, 200)),
    # --- pledges: scoring, ballots, proposals, results (issue 4) ---
    # Members read (their own sheet, submitted sheets, results); the secretariat verifies,
    # records ballots and proposals, deletes. The admin has no organization: it picks a
    # member's sheet, and cannot cross-score. The council acts for no member: it reads the
    # results, and signing, registering and scoring are closed to it (403).
    "pledges:self_score": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 403)),
    "pledges:self_score_return": Row(d2_submitted_sheet, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:evidence_download": Row(d2_evidence, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:evidence_delete": Row(d2_evidence, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:verify": Row(d2_scoring, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:verify_all": Row(d2_scoring, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:reminders": Row(d2_scoring, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:cross_score": Row(d2_cross, (LOGIN, 404, 200, 200, 403, 404, 403)),
    "pledges:adjustments": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:ballots": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:ballot_delete": Row(d2_ballot, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:proposals": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:proposals_xlsx": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:proposal_delete": Row(d2_proposal, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "pledges:results": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:results_xlsx": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:chart_groups": Row(d2_scoring, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "pledges:chart_rank": Row(d2_rank, (LOGIN, 404, 200, 200, 200, 404, 200)),
    # --- reports (issue 5) ---
    # Members read the list, the progress and the files; the secretariat of the year writes.
    # Build and retry are POST only: a GET that passed the access check is 405.
    "reports:report_list": Row(bloc, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "reports:draft_open": Row(bloc, (LOGIN, 404, 403, 302, 302, 404, 403)),
    "reports:draft_edit": Row(c1_draft, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "reports:draft_preview": Row(c1_draft, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "reports:report_build": Row(c1_draft, (LOGIN, 404, 403, 405, 405, 404, 403)),
    "reports:report_status": Row(c1_report, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "reports:report_download": Row(c1_report, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "reports:report_xlsx": Row(c1_report, (LOGIN, 404, 404, 200, 200, 404, 404)),
    "reports:report_retry": Row(c1_report, (LOGIN, 404, 403, 405, 405, 404, 403)),
    "reports:report_docx": Row(c1_report, (LOGIN, 404, 404, 200, 200, 404, 404)),
    # --- reports: issuing (issue 11) ---
    # The secretariat issues (a confirmation page), replaces and files the signed scan;
    # members download what was issued (the scan once there is one, else the issued PDF).
    "reports:document_issue": Row(c1_draft, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "reports:document_replace": Row(c2_issued, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "reports:document_scan": Row(c2_issued, (LOGIN, 404, 403, 200, 200, 404, 403)),
    "reports:document_download": Row(c2_issued, (LOGIN, 404, 200, 200, 200, 404, 200)),
    # --- reports: the commendation dossier (issue 16): members read it and its archive;
    # the secretariat starts its drafts (POST only). A unit's own achievement report is
    # written by that unit's officials: tests/reports/test_dossier.py. ---
    "reports:dossier": Row(bloc, (LOGIN, 404, 200, 200, 200, 404, 200)),
    "reports:dossier_prepare": Row(bloc, (LOGIN, 404, 403, 405, 405, 404, 403)),
    "reports:dossier_zip": Row(e16_dossier_issued, (LOGIN, 404, 200, 200, 200, 404, 200)),
    # --- notifications (issue 13) ---
    # Everyone has their own notices and settings; a notice opens for its recipient only
    # (302 to the thing itself); the writes are POST only. The calendar feed and the
    # unsubscribe page open with their secret key or signed token, without a login.
    "notifications:list": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "notifications:open": Row(n13_member_notice, (LOGIN, 404, 302, 404, 404, 404, 404)),
    "notifications:read_all": Row(no_kwargs, (LOGIN, 405, 405, 405, 405, 405, 405)),
    "notifications:preferences": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "notifications:calendar_regenerate": Row(no_kwargs, (LOGIN, 405, 405, 405, 405, 405, 405)),
    "notifications:calendar_revoke": Row(no_kwargs, (LOGIN, 405, 405, 405, 405, 405, 405)),
    "notifications:unsubscribe": Row(n13_unsubscribe, (200, 200, 200, 200, 200, 200, 200)),
    # --- councils (issue 16) ---
    # Every logged-in person opens the list (of the bodies whose council they sit on); a
    # body's page is its council's (and the admin's), 404 for everyone else; deciding,
    # holding and lifting are the council's: 403 for whoever else reads the bloc.
    "councils:list": Row(no_kwargs, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "councils:detail": Row(i16_council, (LOGIN, 404, 404, 404, 200, 404, 200)),
    "councils:xlsx": Row(i16_council, (LOGIN, 404, 404, 404, 200, 404, 200)),
    "councils:decide": Row(d2_proposal, (LOGIN, 404, 403, 403, 200, 404, 200)),
    "councils:hold": Row(d2_proposal, (LOGIN, 404, 403, 403, 200, 404, 200)),
    "councils:lift": Row(i16_hold, (LOGIN, 404, 403, 403, 200, 404, 200)),
    "calendar_feed": Row(n13_feed, (200, 200, 200, 200, 200, 200, 200)),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _named_urls(patterns=None, namespace: str = "") -> set[str]:
    """Every named URL under the root URLconf, as `namespace:name`."""
    names: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if inner.startswith(COVERED_ELSEWHERE):
                continue
            names |= _named_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            # An unnamed URL could never get a row: make it fail loudly.
            assert entry.name, f"unnamed URL pattern {entry.pattern!r}: give it a name"
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_named_url_has_a_row():
    names = _named_urls()
    assert names - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these MATRIX rows match no URL"


def test_the_admin_is_left_out_on_purpose():
    # The admin exists and is skipped by the walk, not forgotten.
    assert reverse("admin:index").startswith("/admin/")
    assert not any(name.startswith(COVERED_ELSEWHERE) for name in _named_urls())


CASES = [
    pytest.param(name, role, row.expected[i], id=f"{name}-{role}")
    for name, row in MATRIX.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("name", "role", "expected"), CASES)
def test_access(name, role, expected, world, client_for):
    url = reverse(name, kwargs=MATRIX[name].kwargs(world))
    response = client_for(role).get(url)
    if expected == LOGIN:
        assert response.status_code == 302, response
        assert response.url.startswith(reverse("login")), response.url
    else:
        assert response.status_code == expected, response
        if response.status_code == 302:  # set_language: home, not the login page
            assert not response.url.startswith(reverse("login")), response.url
    if role != "anonymous" and response.status_code == 200:
        # Pages, PDFs, spreadsheets and calendars of a logged-in user stay out of shared
        # caches and of the browser's cache (portal.lib.middleware.PrivateResponsesMiddleware).
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (url, response["Cache-Control"])


def test_set_language_post_sets_the_cookie_without_a_login(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/blocs/"})
    assert response.status_code == 302
    assert response.url == "/blocs/"
    assert response.cookies["django_language"].value == "en"


def test_logout_post_logs_out(world, client_for):
    client = client_for("member")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


# --- The two rules of the policy that follow the years, not the calendar -------------------
# Next year's chair term exists (orgs[1] chairs next year): its officials ("incoming") prepare
# next year while this one runs; this year's chair officials ("secretariat") do not write next
# year's things. A person assigned to the secretariat for last year only ("former") keeps
# reading the bloc and writes nothing of this year or the next.
# An organization that left the bloc last year ("left") reads its own years only (issue 14).
YEAR_ROLES = ("member", "secretariat", "incoming", "former", "admin", "left")


def _next_year_world(world):
    from tests.factories import (
        ChairTermFactory,
        MembershipFactory,
        OfficialFactory,
        OrganizationFactory,
        SecretaryAssignmentFactory,
    )

    year = current_year()
    ChairTermFactory(bloc=world.bloc, year=year + 1, chair=world.orgs[1], deputy=world.orgs[2])
    incoming = OfficialFactory(organization=world.orgs[1], user__username="incoming").user
    former = OfficialFactory(organization=world.outsider_org, user__username="former").user
    SecretaryAssignmentFactory(bloc=world.bloc, user=former, first_year=year - 1)
    gone = OrganizationFactory(name="Hội Người cao tuổi thành phố", short_name="Hội NCT")
    MembershipFactory(bloc=world.bloc, organization=gone, first_year=year - 3, last_year=year - 1)
    left = OfficialFactory(organization=gone, user__username="left").user
    return {**world.users, "incoming": incoming, "former": former, "left": left}


def _year_meeting(world, year: int, kind=Meeting.Kind.OTHER) -> dict:
    from zoneinfo import ZoneInfo

    starts = timezone.datetime(year, 1, 10, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    found = Meeting.objects.create(
        bloc=world.bloc, year=year, kind=kind, title="Hội nghị", starts_at=starts, place="HP"
    )
    return {"pk": found.pk}


def _year_pledge(world, year: int, status: str = "open") -> dict:
    from tests.factories import PledgeFactory

    return {"pk": PledgeFactory(bloc=world.bloc, year=year, status=status).pk}


THIS, NEXT = 0, 1
#                 name, kwargs, ?year= offset, expected per YEAR_ROLES
YEAR_MATRIX = [
    ("blocs:meeting_create", lambda w, y: {"pk": w.bloc.pk}, NEXT, (403, 403, 200, 403, 200, 404)),
    ("blocs:meeting_create", lambda w, y: {"pk": w.bloc.pk}, THIS, (403, 200, 403, 403, 200, 404)),
    (
        "blocs:meeting_edit",
        lambda w, y: _year_meeting(w, y + 1, Meeting.Kind.LAUNCH),
        None,
        (403, 403, 200, 403, 200, 404),
    ),
    ("blocs:meeting_edit", lambda w, y: _year_meeting(w, y), None, (403, 200, 403, 403, 200, 404)),
    ("blocs:bloc_edit", lambda w, y: {"pk": w.bloc.pk}, None, (403, 200, 403, 403, 200, 404)),
    ("pledges:pledge_create", lambda w, y: {"pk": w.bloc.pk}, NEXT, (403, 403, 200, 403, 200, 404)),
    (
        "pledges:pledge_edit",
        lambda w, y: _year_pledge(w, y + 1),
        None,
        (403, 403, 200, 403, 200, 404),
    ),
    ("pledges:pledge_edit", lambda w, y: _year_pledge(w, y), None, (403, 200, 403, 403, 200, 404)),
    ("reports:draft_open", lambda w, y: {"pk": w.bloc.pk}, NEXT, (403, 403, 302, 403, 302, 404)),
    # last year's things: the organization that left reads them; this year's it does not
    (
        "blocs:meeting_detail",
        lambda w, y: _year_meeting(w, y - 1),
        None,
        (200, 200, 200, 200, 200, 200),
    ),
    (
        "blocs:meeting_detail",
        lambda w, y: _year_meeting(w, y),
        None,
        (200, 200, 200, 200, 200, 404),
    ),
    (
        "pledges:pledge_detail",
        lambda w, y: _year_pledge(w, y - 1),
        None,
        (200, 200, 200, 200, 200, 200),
    ),
    (
        "pledges:pledge_detail",
        lambda w, y: _year_pledge(w, y),
        None,
        (200, 200, 200, 200, 200, 404),
    ),
    # a draft pledge: its year's secretariat (and admins) only, 404 for everyone else
    (
        "pledges:pledge_detail",
        lambda w, y: _year_pledge(w, y, "draft"),
        None,
        (404, 200, 404, 404, 200, 404),
    ),
    (
        "pledges:pledge_detail",
        lambda w, y: _year_pledge(w, y + 1, "draft"),
        None,
        (404, 404, 200, 404, 200, 404),
    ),
    (
        "pledges:pledge_detail",
        lambda w, y: _year_pledge(w, y - 1, "draft"),
        None,
        (404, 404, 404, 200, 200, 404),
    ),
    ("reports:report_list", lambda w, y: {"pk": w.bloc.pk}, -1, (200, 200, 200, 200, 200, 200)),
    ("reports:report_list", lambda w, y: {"pk": w.bloc.pk}, THIS, (200, 200, 200, 200, 200, 404)),
]

YEAR_CASES = [
    pytest.param(name, kwargs, offset, role, codes[j], id=f"{i}-{name}-{role}")
    for i, (name, kwargs, offset, codes) in enumerate(YEAR_MATRIX)
    for j, role in enumerate(YEAR_ROLES)
]


@pytest.mark.parametrize(("name", "kwargs", "offset", "role", "expected"), YEAR_CASES)
def test_access_follows_the_years(name, kwargs, offset, role, expected, world, client):
    users = _next_year_world(world)
    year = current_year()
    url = reverse(name, kwargs=kwargs(world, year))
    if offset is not None:
        url += f"?year={year + offset}"
    client.force_login(users[role])
    assert client.get(url).status_code == expected


def test_the_incoming_chair_sees_the_bloc_s_controls_and_the_former_secretary_does_not(
    world, client
):
    users = _next_year_world(world)
    url = reverse("blocs:bloc_detail", kwargs={"pk": world.bloc.pk})
    client.force_login(users["incoming"])
    assert client.get(url).context["can_manage"] is True
    client.force_login(users["former"])
    response = client.get(url)
    assert response.status_code == 200 and response.context["can_manage"] is False

"""Meeting pages: the forms and their errors, approval, decisions, attachments, calendars,
and constant query counts. Who may open which URL is `tests/test_access_matrix.py`."""

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs import services
from blocs.models import (
    Attendance,
    ChairTerm,
    Meeting,
    MeetingAttachment,
    MeetingPerson,
    Membership,
    current_year,
)
from portal.lib.uploads import MAX_UPLOAD_BYTES
from tests.blocs.records import complete_record
from tests.factories import ChairTermFactory, MembershipFactory, OrganizationFactory

from .test_views import _assert_constant

VN = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = current_year()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def meeting(world):
    # Early in this year: already started (so it can be held), and this year's chair writes.
    return services.meeting_create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.OTHER,
        title="Hội nghị sơ kết",
        starts_at=dt.datetime(YEAR, 1, 2, 8, 0, tzinfo=VN),
        ends_at=dt.datetime(YEAR, 1, 2, 11, 30, tzinfo=VN),
        place="Nhà khách Thành ủy",
        host=world.orgs[0],
    )


def url(name, obj):
    return reverse(f"blocs:{name}", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Create and edit -----------------------------------------------------------


def form_data(**overrides):
    data = {
        "year": YEAR,
        "kind": Meeting.Kind.WORKSHOP,
        "title": "Hội thảo chuyên đề",
        "starts_at": f"15/03/{YEAR} 08:00",
        "ends_at": f"15/03/{YEAR} 11:30",
        "place": "Hải Phòng",
        "host": "",
    }
    return {**data, **overrides}


def test_create_redirects_to_the_record_with_a_message(world, client_for):
    response = client_for("secretariat").post(
        url("meeting_create", world.bloc), form_data(), follow=True
    )
    created = Meeting.objects.get()
    assert response.redirect_chain == [(created.get_absolute_url(), 302)]
    assert "The meeting has been created." in messages_of(response)
    assert created.starts_at == dt.datetime(YEAR, 3, 15, 8, 0, tzinfo=VN)
    assert f"15/03/{YEAR} 08:00" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"ends_at": f"15/03/{YEAR} 07:00"}, "ends_at", "The end must be after the start."),
        ({"starts_at": f"15/03/{YEAR - 3} 08:00", "ends_at": ""}, "starts_at", "must start"),
        ({"starts_at": "2026-13-45"}, "starts_at", "Enter a valid date/time."),
    ],
)
def test_create_shows_bad_times_next_to_the_field(world, client_for, overrides, field, text):
    response = client_for("secretariat").post(
        url("meeting_create", world.bloc), form_data(**overrides)
    )
    assert response.status_code == 200
    assert any(text in e for e in response.context["form"].errors[field])
    assert Meeting.objects.count() == 0


def test_create_refuses_a_year_the_user_is_not_secretariat_of(world, client_for):
    response = client_for("secretariat").post(
        url("meeting_create", world.bloc), form_data(year=YEAR - 5)
    )
    assert "year" in response.context["form"].errors
    assert Meeting.objects.count() == 0


def test_edit_saves_minutes_and_keeps_the_typed_format(meeting, client_for):
    client = client_for("secretariat")
    page = client.get(url("meeting_edit", meeting)).content.decode()
    assert f'value="02/01/{YEAR} 08:00"' in page and 'placeholder="dd/mm/yyyy hh:mm"' in page
    data = form_data(
        kind=meeting.kind,
        starts_at=f"02/01/{YEAR} 08:00",
        ends_at="",
        minutes="Đồng chí Chủ trì khai mạc.",
        conclusions="Thống nhất.",
    )
    response = client.post(url("meeting_edit", meeting), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Đồng chí Chủ trì khai mạc." and meeting.ends_at is None


# The record: people, attendance, agenda ---------------------------------------


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def record_data(world, attendance_orgs=None):
    orgs = attendance_orgs or world.orgs
    data = {
        **management("people", 2),
        "people-0-role": MeetingPerson.Role.PRESIDING,
        "people-0-name": "Nguyễn Văn A",
        "people-0-position": "Chủ tịch",
        "people-1-role": MeetingPerson.Role.PRESIDING,
        "people-1-name": "",  # a blank extra row is left out
        **management("attendance", len(orgs), len(orgs)),
        **management("agenda", 1),
        "agenda-0-title": "Báo cáo tổng kết",
        "agenda-0-presenter": "Hội LHPN",
    }
    for i, org in enumerate(orgs):
        data[f"attendance-{i}-organization"] = org.pk
        data[f"attendance-{i}-status"] = "present" if i else "excused"
        data[f"attendance-{i}-representative"] = f"Đại diện {i}"
    return data


def test_record_prefills_attendance_with_the_years_members(meeting, world, client_for):
    response = client_for("secretariat").get(url("meeting_record", meeting))
    rows = [form.initial["organization"] for form in response.context["attendance"]]
    assert rows == world.orgs
    assert "0/4 members present" in response.content.decode()


def test_record_saves_everything_and_the_record_shows_the_quorum(meeting, world, client_for):
    client = client_for("secretariat")
    response = client.post(url("meeting_record", meeting), record_data(world), follow=True)
    assert "The record has been saved." in messages_of(response)
    assert list(meeting.people.values_list("name", flat=True)) == ["Nguyễn Văn A"]
    assert meeting.attendance.filter(status=Attendance.Status.PRESENT).count() == 3
    assert meeting.agenda.get().order == 1
    page = response.content.decode()
    assert "3/4 members present" in page
    assert "Báo cáo tổng kết" in page and "Nguyễn Văn A – Chủ tịch" in page


def test_record_refuses_attendance_of_a_non_member_and_saves_nothing(meeting, world, client_for):
    orgs = [*world.orgs, world.outsider_org]
    response = client_for("secretariat").post(
        url("meeting_record", meeting), record_data(world, orgs)
    )
    assert response.status_code == 200
    assert response.context["attendance"].forms[4].errors["organization"]
    assert not Attendance.objects.exists()
    assert not MeetingPerson.objects.exists()


# Approval, read-only, reopening --------------------------------------------


@pytest.fixture
def approved(meeting, world):
    complete_record(meeting)
    services.meeting_mark_held(meeting=meeting)
    return services.meeting_approve(meeting=meeting)


def test_hold_then_approve_through_confirmation_pages(meeting, client_for):
    client = client_for("secretariat")
    complete_record(meeting)
    assert "Mark as held" in client.get(url("meeting_hold", meeting)).content.decode()
    client.post(url("meeting_hold", meeting))
    page = client.get(url("meeting_approve", meeting)).content.decode()
    assert "becomes read-only" in page
    response = client.post(url("meeting_approve", meeting), follow=True)
    assert "The minutes are approved and now read-only." in messages_of(response)
    meeting.refresh_from_db()
    assert meeting.is_locked and meeting.approved_by.username == "secretariat"


def test_approved_minutes_are_read_only(approved, client_for):
    client = client_for("secretariat")
    page = client.get(url("meeting_detail", approved)).content.decode()
    for name in ("meeting_edit", "meeting_record", "meeting_elect", "meeting_approve"):
        assert url(name, approved) not in page
    assert url("meeting_reopen", approved) in page
    for name in ("meeting_edit", "meeting_record", "meeting_elect", "meeting_membership"):
        response = client.get(url(name, approved), follow=True)
        assert response.redirect_chain == [(approved.get_absolute_url(), 302)], name
        assert str(services.MEETING_LOCKED) in messages_of(response)
    client.post(url("meeting_edit", approved), form_data(title="Đổi"))
    approved.refresh_from_db()
    assert approved.title == "Hội nghị sơ kết"


def test_reopen_needs_a_reason(approved, client_for):
    client = client_for("secretariat")
    response = client.post(url("meeting_reopen", approved), {"reason": "  "})
    assert response.context["form"].errors["reason"]
    approved.refresh_from_db()
    assert approved.is_locked
    client.post(url("meeting_reopen", approved), {"reason": "Sửa tên đại biểu"})
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.HELD
    assert approved.history.first().history_change_reason == "Sửa tên đại biểu"


def test_members_see_no_write_buttons(meeting, client_for):
    page = client_for("member").get(url("meeting_detail", meeting)).content.decode()
    assert url("meeting_edit", meeting) not in page
    assert url("meeting_record", meeting) not in page


# Decisions -----------------------------------------------------------------


def flat(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_election_creates_next_years_term(meeting, world, client_for):
    data = {"chair": world.orgs[1].pk, "deputy": world.orgs[2].pk}
    response = client_for("secretariat").post(url("meeting_elect", meeting), data, follow=True)
    term = ChairTerm.objects.get(bloc=world.bloc, year=YEAR + 1)
    assert (term.chair, term.deputy, term.elected_at) == (world.orgs[1], world.orgs[2], meeting)
    # The English page writes the sentence from the decision's data, in English.
    assert f"Elected {world.orgs[1].name} as bloc chair for {YEAR + 1}" in flat(response)


def test_election_over_an_existing_term_asks_for_confirmation(meeting, world, client_for):
    ChairTermFactory(bloc=world.bloc, year=YEAR + 1, chair=world.orgs[3], deputy=None)
    client = client_for("secretariat")
    data = {"chair": world.orgs[1].pk, "deputy": world.orgs[2].pk}
    response = client.post(url("meeting_elect", meeting), data)
    page = response.content.decode()
    assert response.status_code == 200
    page = " ".join(html.unescape(page).split())
    assert world.orgs[3].name in page
    assert f"The bloc chair and bloc deputy for {YEAR + 1} are already recorded." in page
    assert "Replace the bloc chair and bloc deputy recorded" in page
    assert ChairTerm.objects.get(bloc=world.bloc, year=YEAR + 1).chair == world.orgs[3]

    client.post(url("meeting_elect", meeting), {**data, "replace": "on"})
    assert ChairTerm.objects.get(bloc=world.bloc, year=YEAR + 1).chair == world.orgs[1]


@pytest.mark.parametrize("who", ["same_twice", "non_member"])
def test_election_errors_are_shown_next_to_the_field(meeting, world, client_for, who):
    if who == "same_twice":
        data, field = {"chair": world.orgs[1].pk, "deputy": world.orgs[1].pk}, "deputy"
    else:
        data, field = {"chair": world.outsider_org.pk}, "chair"
    response = client_for("secretariat").post(url("meeting_elect", meeting), data)
    assert response.context["form"].errors[field]
    assert not ChairTerm.objects.filter(year=YEAR + 1).exists()


def test_membership_change_join_and_refused_leave(meeting, world, client_for):
    # A former member rejoins: the secretariat records it.
    MembershipFactory(
        bloc=world.bloc, organization=world.outsider_org, first_year=YEAR - 5, last_year=YEAR - 4
    )
    client = client_for("secretariat")
    data = {"organization": world.outsider_org.pk, "joins": "1", "from_year": YEAR + 1}
    response = client.post(url("meeting_membership", meeting), data, follow=True)
    assert "The membership change is recorded." in messages_of(response)
    assert Membership.objects.get(
        bloc=world.bloc, organization=world.outsider_org, first_year=YEAR + 1
    )

    data = {"organization": world.orgs[3].pk, "joins": "0", "from_year": YEAR - 3}
    response = client.post(url("meeting_membership", meeting), data)
    assert "joined in" in str(response.context["form"].non_field_errors())


def test_the_secretariat_chooses_only_among_the_bloc_s_own_members(meeting, world, client_for):
    newcomer = OrganizationFactory(name="Hội Nông dân thành phố")
    client = client_for("secretariat")
    response = client.get(url("meeting_membership", meeting))
    offered = set(response.context["form"].fields["organization"].queryset)
    assert offered == set(world.orgs)  # not the other bloc's member, not the newcomer
    data = {"organization": newcomer.pk, "joins": "1", "from_year": YEAR + 1}
    response = client.post(url("meeting_membership", meeting), data)
    assert response.status_code == 200 and response.context["form"].errors["organization"]
    assert not Membership.objects.filter(organization=newcomer).exists()


def test_the_admin_adds_a_new_member_organization(meeting, world, client_for):
    newcomer = OrganizationFactory(name="Hội Nông dân thành phố")
    client = client_for("admin")
    response = client.get(url("meeting_membership", meeting))
    assert newcomer in response.context["form"].fields["organization"].queryset
    data = {"organization": newcomer.pk, "joins": "1", "from_year": YEAR + 1}
    response = client.post(url("meeting_membership", meeting), data, follow=True)
    assert "The membership change is recorded." in messages_of(response)
    assert Membership.objects.get(organization=newcomer).first_year == YEAR + 1


# Attachments ---------------------------------------------------------------


def upload(client, meeting, name, content, kind="document"):
    data = {"kind": kind, "title": "Biên bản", "file": SimpleUploadedFile(name, content)}
    return client.post(url("attachment_add", meeting), data)


def test_upload_and_download(meeting, client_for, media):
    response = upload(client_for("secretariat"), meeting, "Biên bản ký.pdf", PDF)
    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get()
    assert attachment.content_type == "application/pdf"

    response = client_for("member").get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Bi%C3%AAn%20b%E1%BA%A3n%20k%C3%BD.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_an_outsider_guessing_the_download_url_gets_404(meeting, client_for, media):
    attachment = services.attachment_add(
        meeting=meeting, kind="document", title="x", uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    assert client_for("outsider").get(attachment.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00 not a pdf" * 10, "does not match its name"),
        ("big.pdf", PDF + b"0" * MAX_UPLOAD_BYTES, "the limit is"),
        ("script.html", b"<html></html>", "are not accepted"),
    ],
)
def test_bad_uploads_are_refused_next_to_the_field(meeting, client_for, media, name, content, text):
    response = upload(client_for("secretariat"), meeting, name, content)
    assert response.status_code == 200
    assert any(text in e for e in response.context["form"].errors["file"])
    assert not MeetingAttachment.objects.exists()
    assert not any(media.rglob("*.*"))


def test_delete_attachment_after_confirmation(meeting, client_for, media):
    attachment = services.attachment_add(
        meeting=meeting, kind="document", title="x", uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    client = client_for("secretariat")
    assert "a.pdf" in client.get(url("attachment_delete", attachment)).content.decode()
    assert MeetingAttachment.objects.exists()
    client.post(url("attachment_delete", attachment))
    assert not MeetingAttachment.objects.exists()


# Calendars -----------------------------------------------------------------


def test_meeting_ics(meeting, client_for):
    response = client_for("member").get(url("meeting_ics", meeting))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Hội nghị sơ kết" in body
    assert f"DTSTART:{YEAR}0102T010000Z" in body  # 08:00 in Hanoi
    assert f"UID:meeting-{meeting.pk}@emulation-portal" in body
    assert "LOCATION:Nhà khách Thành ủy" in body
    assert "Khối thi đua Mặt trận Tổ quốc" in body.replace("\r\n ", "")


def test_bloc_ics_lists_every_meeting(meeting, world, client_for):
    services.meeting_create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.WORKSHOP,
        title="Hội thảo",
        starts_at=dt.datetime(YEAR, 6, 1, 8, tzinfo=VN),
        place="Hải Phòng",
    )
    body = client_for("member").get(url("bloc_ics", world.bloc)).content.decode()
    assert body.count("BEGIN:VEVENT") == 2


# Lists, dashboard, bloc page -----------------------------------------------


def test_list_dashboard_and_bloc_page_show_the_meeting(meeting, world, client_for):
    client = client_for("member")
    page = client.get(url("meeting_list", world.bloc) + f"?year={YEAR}").content.decode()
    assert "Hội nghị sơ kết" in page
    assert "Hội nghị sơ kết" in client.get(url("bloc_detail", world.bloc)).content.decode()
    later = services.meeting_create(
        bloc=world.bloc,
        year=YEAR + 1,
        kind=Meeting.Kind.LAUNCH,
        title="Hội nghị phát động",
        starts_at=dt.datetime(YEAR + 1, 2, 1, 8, tzinfo=VN),
        place="Hải Phòng",
    )
    dashboard = client.get(reverse("home"))
    assert dashboard.context["dashboard"].upcoming == [later]
    assert "Upcoming meetings" in dashboard.content.decode()


# Query counts --------------------------------------------------------------


def test_meeting_detail_query_count_is_constant(
    meeting, world, client_for, media, django_assert_num_queries
):
    def grow(n):
        for i in range(n):
            org = OrganizationFactory()
            Membership.objects.create(bloc=world.bloc, organization=org, first_year=YEAR)
            Attendance.objects.create(meeting=meeting, organization=org)
            MeetingPerson.objects.create(meeting=meeting, role="guest", name=f"Khách {i}")
            meeting.agenda.create(title=f"Mục {i}")
            services.attachment_add(
                meeting=meeting,
                kind="document",
                title=f"Tệp {i}",
                uploaded=SimpleUploadedFile("a.pdf", PDF),
            )

    grow(2)
    count = _assert_constant(
        client_for("member"),
        url("meeting_detail", meeting),
        lambda: grow(18),
        django_assert_num_queries,
    )
    # session, user, meeting (visible_to), the meeting with bloc/host/approver, people,
    # attendance+organization, agenda, attachments, decisions+terms+memberships,
    # members of the year, is_secretariat (blocs.rules.secretariat_spans: assignments and
    # chair terms, one union), the navbar's official with its organization
    # (blocs.models.official_of), the bell's unread count
    assert count == 14  # + the blocs and years the user reads (blocs.models.read_spans)


def test_meeting_list_query_count_is_constant(world, client_for, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            Meeting.objects.create(
                bloc=world.bloc,
                year=YEAR,
                kind="other",
                title=f"Họp {i}",
                starts_at=dt.datetime(YEAR, 1 + i % 12, 1 + i % 28, 8, tzinfo=VN),
                place="Hải Phòng",
                host=world.orgs[i % 4],
            )

    grow(3)
    count = _assert_constant(
        client_for("member"),
        url("meeting_list", world.bloc),
        lambda: grow(27),
        django_assert_num_queries,
    )
    # session, user, the blocs and years the user reads (blocs.models.read_spans: its
    # memberships, assignments and council seats, one union, kept for the request), bloc
    # (visible_to), years with meetings, the year's meetings with their hosts,
    # is_secretariat (blocs.rules.secretariat_spans, one union), the navbar's official with
    # its organization (blocs.models.official_of), the bell
    assert count == 9


@pytest.mark.parametrize("year", ["99999999999", "-3", "1066", "abc"])
def test_an_impossible_year_in_the_address_falls_back_to_this_year(world, client_for, year):
    client = client_for("secretariat")
    for name in ("blocs:meeting_list", "blocs:meeting_create"):
        response = client.get(reverse(name, args=[world.bloc.pk]), {"year": year})
        assert response.status_code == 200
        assert response.context["year"] == current_year()


def test_a_decision_is_recorded_as_data_and_shown_in_the_readers_language(meeting, client_for):
    client = client_for("secretariat")
    assert "Record a decision" in client.get(url("meeting_decision", meeting)).content.decode()
    response = client.post(url("meeting_decision", meeting), {"kind": "other", "text": " "})
    assert response.status_code == 200
    assert not meeting.decisions.exists()
    response = client.post(url("meeting_decision", meeting), {"kind": "ranking", "year": ""})
    assert response.status_code == 302
    decision = meeting.decisions.get()
    assert (decision.kind, decision.year, decision.summary) == ("ranking", meeting.year, "")
    page = flat(client.get(meeting.get_absolute_url()))
    assert f"Approved the scores and the ranking of the members for {meeting.year}." in page


# Hostile one-line values (issue 14) ------------------------------------------


@pytest.mark.parametrize("value", ["Hội nghị\r\nBEGIN:VEVENT", "Hội\rnghị", "Hội\tnghị", "a\x00b"])
@pytest.mark.parametrize("field", ["title", "place"])
def test_create_refuses_control_characters_in_one_line_fields(world, client_for, field, value):
    response = client_for("secretariat").post(
        url("meeting_create", world.bloc), form_data(**{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        "Write this on one line: line breaks, tabs and other control characters are not accepted."
    ]
    assert Meeting.objects.count() == 0


def test_the_calendar_survives_control_characters_already_stored(meeting, client_for):
    # A row written before the form's check, or by the admin: the .ics stays one event.
    Meeting.objects.filter(pk=meeting.pk).update(
        title="Hội nghị\r\nEND:VEVENT\r\nBEGIN:VEVENT\rSUMMARY:giả\x0b", place="Hải\x1fPhòng\n"
    )
    for name, obj in (("meeting_ics", meeting), ("bloc_ics", meeting.bloc)):
        body = client_for("member").get(url(name, obj)).content.decode()
        unfolded = body.replace("\r\n ", "")
        lines = unfolded.split("\r\n")
        assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
        assert "SUMMARY:Hội nghị END:VEVENT BEGIN:VEVENT SUMMARY:giả" in lines
        assert "LOCATION:Hải Phòng" in lines
        assert not any(ch in line for line in lines for ch in "\r\n\x00\x0b")


def test_search_with_a_nul_byte_is_an_empty_search_not_an_error(world, client_for):
    response = client_for("member").get(reverse("blocs:search"), {"q": "\x00"})
    assert response.status_code == 200
    assert response.context["query"] == ""
    response = client_for("member").get(reverse("blocs:search"), {"q": "Thành\x00đoàn"})
    assert response.status_code == 200
    assert response.context["query"] == "Thành đoàn"


def test_an_absence_keeps_its_reason_and_a_presence_none(meeting, world, client_for):
    client = client_for("secretariat")
    data = record_data(world)
    data["attendance-0-absence_reason"] = "  Đi công tác  "  # row 0 is excused
    data["attendance-1-absence_reason"] = "gõ nhầm"  # row 1 is present: no reason kept
    response = client.post(url("meeting_record", meeting), data, follow=True)
    assert "The record has been saved." in messages_of(response)
    reasons = dict(meeting.attendance.values_list("organization", "absence_reason"))
    assert reasons[world.orgs[0].pk] == "Đi công tác"
    assert reasons[world.orgs[1].pk] == ""
    form = client.get(url("meeting_record", meeting)).context["attendance"].forms[0]
    assert form.initial["absence_reason"] == "Đi công tác"


def test_the_record_adds_rows_in_the_page_not_blank_rows_per_save(meeting, world, client_for):
    client = client_for("secretariat")
    first = client.get(url("meeting_record", meeting))
    assert len(first.context["people"].forms) == 3  # a first record: presiding, secretary, guest
    client.post(url("meeting_record", meeting), record_data(world))
    again = client.get(url("meeting_record", meeting))
    assert len(again.context["people"].forms) == 1  # the saved person, no blank rows
    assert len(again.context["agenda"].forms) == 1
    page = again.content.decode()
    # The empty rows the page's script copies, and the buttons it shows.
    assert '<template data-portal-formset-template="people">' in page
    assert 'name="people-__prefix__-name"' in page and 'name="agenda-__prefix__-title"' in page
    assert 'data-portal-formset-add="people"' in page and "data-portal-formset-remove" in page


def test_a_refused_record_lists_its_errors_at_the_top(meeting, world, client_for):
    data = record_data(world)
    data["people-1-role"] = MeetingPerson.Role.SECRETARY  # a changed row without its name
    response = client_for("secretariat").post(url("meeting_record", meeting), data)
    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') : page.index('class="record-form"')]
    assert 'href="#id_people-1-name"' in summary
    assert not MeetingPerson.objects.exists()

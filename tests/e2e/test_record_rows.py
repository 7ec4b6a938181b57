"""The meeting record's people and agenda: rows added and removed in the page (portal.js),
without a save per blank row; an absence with its reason."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs import demo, services
from blocs.models import Attendance, Bloc, Meeting, MeetingPerson, current_year

from .test_member import log_in

pytestmark = pytest.mark.e2e
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_people_and_agenda_rows_are_added_and_removed_in_the_page(live, page: Page, shot):
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    year = current_year()
    meeting = services.meeting_create(
        bloc=bloc,
        year=year,
        kind=Meeting.Kind.OTHER,
        title="Hội nghị sơ kết",
        starts_at=datetime.datetime(year, 1, 2, 8, 0, tzinfo=VN),
        ends_at=datetime.datetime(year, 1, 2, 11, 30, tzinfo=VN),
        place="Nhà khách Thành ủy",
    )
    services.meeting_save_people(
        meeting=meeting,
        rows=[
            {"role": MeetingPerson.Role.PRESIDING, "name": "Vũ Thị Bích Liên", "order": 1},
            {"role": MeetingPerson.Role.SECRETARY, "name": "Trần Thu Hà", "order": 2},
        ],
    )
    people_before = list(meeting.people.values_list("name", flat=True))
    log_in(page, live, demo.SECRETARY.username, demo.SECRETARY.password)
    page.goto(live + reverse("blocs:meeting_record", args=[meeting.pk]))
    people = page.locator("[data-portal-formset-rows=people] [data-portal-formset-row]")
    expect(people).to_have_count(len(people_before))  # no blank rows once there are people
    # The script shows its buttons instead of the DELETE boxes.
    expect(page.locator("[data-portal-formset-delete]").first).to_be_hidden()
    page.locator("[data-portal-formset-add=people]").click()
    expect(people).to_have_count(len(people_before) + 1)
    new = people.last
    expect(new.locator("select")).to_be_focused()  # the new row's first field
    new.locator("select").select_option("guest")
    new.locator("input[name$='-name']").fill("Lê Văn Khách")
    page.locator("[data-portal-formset-add=people]").click()  # a second one, left blank
    people.nth(0).locator("[data-portal-formset-remove]").click()
    expect(people.nth(0)).to_be_hidden()
    # An absence and its reason.
    rows = page.locator("tr").filter(has=page.locator("select[name$='-status']"))
    rows.first.locator("select[name$='-status']").select_option("excused")
    rows.first.locator("input[name$='-absence_reason']").fill("Đi công tác")
    shot("grids_06_record_rows")
    page.locator("#save-record").click()
    expect(page).to_have_url(live + reverse("blocs:meeting_detail", args=[meeting.pk]))
    names = set(MeetingPerson.objects.filter(meeting=meeting).values_list("name", flat=True))
    assert names == {*people_before[1:], "Lê Văn Khách"}
    excused = Attendance.objects.get(meeting=meeting, absence_reason="Đi công tác")
    assert excused.status == Attendance.Status.EXCUSED

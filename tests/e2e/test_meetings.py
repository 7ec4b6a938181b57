"""The secretariat records a year-end review in the browser; a member then reads it.

thuky (load_demo's secretary of the Hải Phòng bloc) creates the review of this year,
records the people, the attendance (one member absent with an excuse) and the agenda,
records the election of next year's chair through the election form, marks the meeting
held and approves the minutes. hoivien (an ordinary member) then opens the record, sees
the attendance and quorum, and finds next year's elected chair on the bloc page.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from blocs import demo
from blocs.models import Bloc, ChairTerm, Meeting, Organization

from .test_member import log_in

pytestmark = pytest.mark.e2e


def vi(text: str) -> str:
    """The page's wording: the portal runs in Vietnamese."""
    with translation.override("vi"):
        return translation.gettext(text)


def test_secretariat_records_a_year_end_review_and_a_member_reads_it(live, page: Page, shot):
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    # Yesterday afternoon, so the meeting can be marked as held (on 1 January: just after
    # midnight, so that the meeting still belongs to this year, whose term exists).
    today = timezone.localdate()
    day, start, end = today - timezone.timedelta(days=1), "14:00", "16:30"
    if day.year != today.year:
        day, start, end = today, "00:00", "23:00"
    year = day.year
    this_term = ChairTerm.objects.select_related("chair", "deputy").get(bloc=bloc, year=year)
    assert not ChairTerm.objects.filter(bloc=bloc, year=year + 1).exists()
    # Next year: this year's deputy chairs; another member deputises.
    new_chair = this_term.deputy
    new_deputy = Organization.objects.get(name=demo.HP_LDLD)
    absent = Organization.objects.get(name=demo.HP_HCCB)
    assert absent.pk not in {new_chair.pk, new_deputy.pk}
    title = f"Hội nghị tổng kết công tác thi đua năm {year}"

    # --- The secretariat creates the meeting ------------------------------------------
    log_in(page, live, demo.SECRETARY.username, demo.SECRETARY.password)
    expect(page).to_have_url(live + reverse("home"))
    page.goto(live + reverse("blocs:meeting_list", args=[bloc.pk]) + f"?year={year}")
    page.get_by_role("link", name=vi("New meeting")).click()
    form = page.locator("form:has(input[name=title])")
    expect(form.locator("input[name=year]")).to_have_value(str(year))
    form.locator("select[name=kind]").select_option(Meeting.Kind.YEAR_END)
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=starts_at]").fill(f"{day:%d/%m/%Y} {start}")
    form.locator("input[name=ends_at]").fill(f"{day:%d/%m/%Y} {end}")
    form.locator("input[name=place]").fill("Hội trường Ủy ban MTTQ Việt Nam thành phố")
    form.locator("select[name=host]").select_option(label=this_term.chair.name)
    shot("meetings_01_create")
    form.get_by_role("button", name=vi("Create meeting")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    meeting = Meeting.objects.get(bloc=bloc, title=title)
    detail_url = live + reverse("blocs:meeting_detail", args=[meeting.pk])
    expect(page).to_have_url(detail_url)

    # --- People, attendance, agenda -----------------------------------------------------
    page.get_by_role("link", name=vi("People, attendance and agenda")).click()
    expect(page).to_have_url(live + reverse("blocs:meeting_record", args=[meeting.pk]))
    page.locator("select[name=people-0-role]").select_option("presiding")
    page.locator("input[name=people-0-name]").fill("Vũ Thị Bích Liên")
    page.locator("input[name=people-0-position]").fill("Chủ tịch Hội LHPN thành phố")
    page.locator("select[name=people-1-role]").select_option("guest")
    page.locator("input[name=people-1-name]").fill("Nguyễn Thị Minh Phương")
    page.locator("input[name=people-1-position]").fill(
        "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam thành phố"
    )
    # Approval needs the minute-taker (and the presiding person and the end time).
    page.locator("select[name=people-2-role]").select_option("secretary")
    page.locator("input[name=people-2-name]").fill("Trần Thu Hà")
    page.locator("input[name=people-2-position]").fill("Chuyên viên Hội LHPN thành phố")
    # Every member is prefilled as present; one is absent with an excuse.
    rows = page.locator("tr").filter(has=page.locator("select[name$='-status']"))
    expect(rows).to_have_count(6)
    absent_row = rows.filter(has_text=absent.name)
    absent_row.locator("select[name$='-status']").select_option("excused")
    page.locator("input[name=agenda-0-title]").fill(f"Báo cáo tổng kết công tác thi đua năm {year}")
    page.locator("input[name=agenda-1-title]").fill(f"Bầu Trưởng khối, Phó khối năm {year + 1}")
    shot("meetings_02_record_form")
    page.locator("#save-record").click()
    expect(page).to_have_url(detail_url)
    expect(page.locator("#quorum")).to_contain_text("5/6")

    # --- Election of next year's chair ------------------------------------------------
    page.get_by_role("link", name=vi("Record an election")).click()
    expect(page).to_have_url(live + reverse("blocs:meeting_elect", args=[meeting.pk]))
    page.locator("select[name=chair]").select_option(label=new_chair.name)
    page.locator("select[name=deputy]").select_option(label=new_deputy.name)
    shot("meetings_03_election_form")
    page.get_by_role("button", name=vi("Record election")).click()
    expect(page).to_have_url(detail_url)
    decisions = page.locator("section").filter(
        has=page.get_by_role("heading", name=vi("Decisions"))
    )
    expect(decisions.get_by_role("listitem")).to_contain_text(new_chair.name)

    # --- Held, then approved ----------------------------------------------------------
    page.get_by_role("link", name=vi("Mark as held")).click()
    page.locator("#confirm").click()
    expect(page).to_have_url(detail_url)
    page.get_by_role("link", name=vi("Approve minutes")).click()
    page.locator("#confirm").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_text(vi("Minutes approved"), exact=True)).to_be_visible()
    # Approved: the record is read-only; only reopening (with a reason) is offered.
    expect(page.get_by_role("link", name=vi("Edit meeting"))).to_have_count(0)
    expect(page.get_by_role("link", name=vi("Reopen minutes"))).to_be_visible()
    shot("meetings_04_approved_secretariat")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED
    term = ChairTerm.objects.get(bloc=bloc, year=year + 1)
    assert (term.chair, term.deputy, term.method) == (
        new_chair,
        new_deputy,
        ChairTerm.Method.ELECTION,
    )
    assert term.elected_at == meeting

    # --- A member reads the record ------------------------------------------------------
    page.context.clear_cookies()
    log_in(page, live, demo.MEMBER.username, demo.MEMBER.password)
    expect(page).to_have_url(live + reverse("home"))
    page.goto(detail_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#quorum")).to_contain_text("5/6")
    attendance = page.locator("table").filter(has_text=absent.name)
    excused = attendance.get_by_role("row").filter(has_text=absent.name)
    expect(excused).to_contain_text(vi("Absent with excuse"))
    expect(page.get_by_text("Vũ Thị Bích Liên")).to_be_visible()
    # A member does not write: no reopening, no editing.
    expect(page.get_by_role("link", name=vi("Reopen minutes"))).to_have_count(0)
    shot("meetings_05_member_reads_record")

    page.goto(live + reverse("blocs:bloc_detail", args=[bloc.pk]))
    history = page.locator("table").filter(has=page.get_by_role("rowheader", name=str(year)))
    next_row = history.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=str(year + 1))
    )
    expect(next_row).to_contain_text(new_chair.display_name)
    expect(next_row).to_contain_text(new_deputy.display_name)
    expect(next_row).to_contain_text(re.compile(re.escape(vi("Elected"))))
    shot("meetings_06_member_bloc_next_chair")

"""The lists' spreadsheets beside the score table (issue 12): registrations, attendance and
proposals as .xlsx, in Vietnamese, dates as dd/mm/yyyy date cells, people family name first,
what users typed never a formula, what the page hides not in the file, and a number of
queries that does not grow with the list."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from blocs.models import Attendance, Meeting, current_year
from pledges import services
from pledges.models import Pledge, Proposal
from tests.blocs.test_views import _queries
from tests.factories import (
    EmulationTitleFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeFactory,
    UserFactory,
)

YEAR = current_year()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _table(sheet) -> tuple[list, list[tuple]]:
    header = [c.value for c in sheet[4]]
    return header, list(sheet.iter_rows(min_row=5, values_only=True))


def test_registrations_xlsx_lists_what_the_member_reads(world, client_for):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, status=Pledge.Status.OPEN)
    writer = UserFactory(first_name="Hoa", last_name="Trần Thị")
    services.registration_save(
        pledge=pledge, organization=world.orgs[0], titles=[], targets=[], submit=True,
        note="=HYPERLINK(\"http://x\",\"y\")", actor=None,
    )  # fmt: skip
    services.registration_save(
        pledge=pledge, organization=world.orgs[1], titles=[], targets=[], submit=False,
        note="Bản nháp bí mật",
    )  # fmt: skip
    from pledges.models import Registration

    Registration.objects.filter(organization=world.orgs[0]).update(updated_by=writer)
    response = client_for("member").get(reverse("pledges:registrations_xlsx", args=[pledge.pk]))
    sheet = _sheet(response)
    header, rows = _table(sheet)
    assert header[:4] == ["STT", "Đơn vị", "Tình trạng", "Ngày gửi"]
    assert sheet["A1"].value == f"DANH SÁCH ĐĂNG KÝ THI ĐUA NĂM {YEAR}"
    by_org = {row[1]: row for row in rows}
    first = by_org[world.orgs[0].name]
    assert first[2] == "Đã gửi"
    assert first[3].date() == timezone.localdate()  # a date cell
    assert sheet.cell(5 + rows.index(first), 4).number_format == "dd/mm/yyyy"
    assert first[6] == "Trần Thị Hoa"  # family name first
    note_cell = sheet.cell(5 + rows.index(first), 8)
    assert note_cell.data_type == "s" and note_cell.value.startswith("=HYPERLINK")
    # Another member's draft: listed as not submitted, without its content.
    assert by_org[world.orgs[1].name][2] == "Chưa gửi"
    assert "Bản nháp bí mật" not in [c for row in rows for c in row]
    assert by_org[world.orgs[3].name][2] == "Chưa đăng ký"


def test_proposals_xlsx(world, client_for):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, status=Pledge.Status.SCORING)
    title = EmulationTitleFactory(name="Cờ thi đua của UBND thành phố")
    recorder = UserFactory(first_name="Nam", last_name="Nguyễn Văn")
    Proposal.objects.create(
        pledge=pledge, organization=world.orgs[1], title=title, achievements="Dẫn đầu khối",
        created_by=recorder,
    )  # fmt: skip
    response = client_for("member").get(reverse("pledges:proposals_xlsx", args=[pledge.pk]))
    header, rows = _table(_sheet(response))
    assert header[:3] == ["STT", "Hình thức khen thưởng", "Đơn vị"]
    [row] = rows
    assert row[1:5] == (title.name, world.orgs[1].name, "Dẫn đầu khối", "Nguyễn Văn Nam")
    assert isinstance(row[5], dt.datetime)


def _meeting(world) -> Meeting:
    return Meeting.objects.create(
        bloc=world.bloc, year=YEAR, kind=Meeting.Kind.MID_YEAR, title="Hội nghị sơ kết",
        starts_at=timezone.now(), place="Hải Phòng",
    )  # fmt: skip


def test_attendance_xlsx_lists_every_member_of_the_year(world, client_for):
    meeting = _meeting(world)
    Attendance.objects.create(
        meeting=meeting, organization=world.orgs[0], status=Attendance.Status.PRESENT,
        representative="Vũ Thị Bích Liên", representative_position="Chủ tịch",
    )  # fmt: skip
    Attendance.objects.create(
        meeting=meeting, organization=world.orgs[1], status=Attendance.Status.EXCUSED
    )
    url = reverse("blocs:meeting_attendance_xlsx", args=[meeting.pk])
    header, rows = _table(_sheet(client_for("member").get(url)))
    assert header == ["STT", "Đơn vị", "Tình hình tham dự", "Người dự", "Chức vụ"]
    assert len(rows) == 4
    by_org = {row[1]: row for row in rows}
    assert by_org[world.orgs[0].name][2:] == ("Có mặt", "Vũ Thị Bích Liên", "Chủ tịch")
    assert by_org[world.orgs[1].name][2] == "Vắng có lý do"
    assert by_org[world.orgs[3].name][2] == "Chưa ghi nhận"


def test_the_exports_run_the_same_queries_with_longer_lists(
    world, client_for, django_assert_num_queries
):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, status=Pledge.Status.SCORING)
    meeting = _meeting(world)

    def grow(n):
        for _ in range(n):
            org = OrganizationFactory()
            MembershipFactory(bloc=world.bloc, organization=org, first_year=YEAR - 1)
            services.registration_save(
                pledge=pledge, organization=org, titles=[EmulationTitleFactory()], targets=[],
                submit=True,
            )  # fmt: skip
            Proposal.objects.create(
                pledge=pledge, organization=org, title=EmulationTitleFactory(),
                created_by=UserFactory(),
            )  # fmt: skip
            Attendance.objects.create(meeting=meeting, organization=org, status="present")

    client = client_for("secretariat")
    urls = [
        reverse("pledges:registrations_xlsx", args=[pledge.pk]),
        reverse("pledges:proposals_xlsx", args=[pledge.pk]),
        reverse("blocs:meeting_attendance_xlsx", args=[meeting.pk]),
    ]
    grow(1)
    counts = [_queries(client, url) for url in urls]
    grow(9)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200

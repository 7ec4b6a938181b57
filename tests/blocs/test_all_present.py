"""Bulk attendance (issue 12): every member of the meeting's year present at once, through
the attendance service (its checks, its history), after a confirmation page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from blocs import services
from blocs.models import Attendance, Meeting, current_year


@pytest.fixture
def meeting(world) -> Meeting:
    return Meeting.objects.create(
        bloc=world.bloc, year=current_year(), kind=Meeting.Kind.MID_YEAR,
        title="Hội nghị sơ kết", starts_at=timezone.now(), place="Hải Phòng",
    )  # fmt: skip


def _statuses(meeting) -> dict:
    return dict(Attendance.objects.filter(meeting=meeting).values_list("organization", "status"))


def test_every_member_is_present_and_representatives_stay(world, meeting):
    o = world.orgs
    Attendance.objects.create(
        meeting=meeting, organization=o[0], status="present", representative="Vũ Thị Bích Liên"
    )
    Attendance.objects.create(meeting=meeting, organization=o[1], status="absent")
    count = services.meeting_mark_all_present(meeting=meeting, actor=world.users["secretariat"])
    assert count == 3  # o[1] was absent, o[2] and o[3] not recorded
    assert _statuses(meeting) == {org.pk: "present" for org in o}
    assert Attendance.objects.get(meeting=meeting, organization=o[0]).representative == (
        "Vũ Thị Bích Liên"
    )
    assert world.outsider_org.pk not in _statuses(meeting)


def test_a_member_may_not_and_approved_minutes_stay_shut(world, meeting, client_for):
    with pytest.raises(PermissionDenied):
        services.meeting_mark_all_present(meeting=meeting, actor=world.users["member"])
    assert _statuses(meeting) == {}
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.APPROVED)
    client = client_for("secretariat")
    client.post(reverse("blocs:meeting_all_present", args=[meeting.pk]))
    assert _statuses(meeting) == {}


def test_the_page_asks_then_records_with_a_message(world, meeting, client_for):
    client = client_for("secretariat")
    url = reverse("blocs:meeting_all_present", args=[meeting.pk])
    assert url in client.get(meeting.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert "4 đơn vị" in page
    assert _statuses(meeting) == {}
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == meeting.get_absolute_url()
    assert "Đã ghi nhận tất cả đơn vị có mặt (4 thay đổi)." in response.content.decode()
    assert len(_statuses(meeting)) == 4

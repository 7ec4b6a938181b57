"""A meeting called off: the service (a reason, only a planned meeting, nothing changes on a
refusal), the members' notice by real SMTP with the .ics (METHOD:CANCEL, STATUS:CANCELLED, a
SEQUENCE above the last invitation's), the calendars that keep it as cancelled, the pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from blocs import services as bloc_services
from blocs.models import Meeting, current_year
from notifications.kinds import Kind
from notifications.models import Notification, Subscriber


@pytest.fixture
def meeting(world) -> Meeting:
    starts = timezone.localtime().replace(microsecond=0) + datetime.timedelta(days=10)
    return bloc_services.meeting_create(
        bloc=world.bloc,
        actor=world.users["secretariat"],
        year=current_year(),
        kind=Meeting.Kind.OTHER,
        title="Hội nghị sơ kết",
        starts_at=starts,
        ends_at=None,
        place="Hải Phòng",
        host=None,
    )


def _cancel(world, meeting, captured, reason="Trùng lịch họp của Thành ủy"):
    with captured(execute=True):
        return bloc_services.meeting_cancel(
            meeting=meeting, reason=reason, actor=world.users["secretariat"]
        )


def _invite(message) -> tuple[str, Calendar]:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part.get_param("method"), Calendar.from_ical(part.get_content())


def test_the_members_get_the_cancellation_with_an_ics_that_cancels(
    world, meeting, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # a change first: SEQUENCE 1
        bloc_services.meeting_update(
            meeting=meeting, place="Nhà văn hóa lao động", actor=world.users["secretariat"]
        )
    cancelled = _cancel(world, meeting, django_capture_on_commit_callbacks)
    assert cancelled.sequence == 2

    # Cancelling cannot wait for the digest: it is sent at once, with the reason.
    [message] = smtp.to("member@example.org")
    assert "Hội nghị sơ kết" in message["Subject"] and "đã bị hủy" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Trùng lịch họp của Thành ủy" in text
    method, calendar = _invite(message)
    assert method == "CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2
    assert event["UID"] == f"meeting-{meeting.pk}@emulation-portal"
    assert not event.walk("VALARM")
    # The secretariat that cancelled is not told; every other member is, once.
    notices = Notification.objects.filter(kind=Kind.MEETING_CANCELLED)
    assert notices.filter(recipient=world.users["member"]).count() == 1
    assert not notices.filter(recipient=world.users["secretariat"]).exists()
    assert not notices.filter(recipient=world.users["outsider"]).exists()


def test_a_digest_holding_the_scheduling_and_the_cancellation_only_cancels(
    world, meeting, smtp, django_capture_on_commit_callbacks
):
    from notifications import tasks
    from notifications.models import Preference

    Preference.objects.create(
        user=world.users["member"], kind=Kind.MEETING_CANCELLED, mode="digest"
    )
    _cancel(world, meeting, django_capture_on_commit_callbacks)
    assert tasks.send_digests.apply().result == 1
    [message] = smtp.to("member@example.org")
    method, calendar = _invite(message)
    assert calendar["METHOD"] == "CANCEL" and method == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_the_subscribed_feed_and_the_session_calendar_show_it_cancelled(
    world, meeting, client_for, client, django_capture_on_commit_callbacks
):
    member = client_for("member")
    member.post(reverse("notifications:calendar_regenerate"))
    token = Subscriber.objects.get(user=world.users["member"]).calendar_token
    before = Calendar.from_ical(client.get(reverse("calendar_feed", args=[token])).content)
    [event] = before.walk("VEVENT")
    assert event["STATUS"] == "CONFIRMED" and int(event["SEQUENCE"]) == 0

    _cancel(world, meeting, django_capture_on_commit_callbacks)
    for response in (
        client.get(reverse("calendar_feed", args=[token])),
        member.get(reverse("blocs:bloc_ics", args=[world.bloc.pk])),
        member.get(reverse("blocs:meeting_ics", args=[meeting.pk])),
    ):
        calendar = Calendar.from_ical(response.content)
        assert "METHOD" not in calendar  # a feed or a download, not an iTIP message
        [event] = calendar.walk("VEVENT")
        assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 1
        assert not event.walk("VALARM")  # no reminder of a meeting that will not be


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_cancelling_needs_a_reason_and_changes_nothing_without_one(world, meeting, reason):
    with pytest.raises(ValidationError) as refused:
        bloc_services.meeting_cancel(
            meeting=meeting, reason=reason, actor=world.users["secretariat"]
        )
    assert refused.value.message_dict["reason"] == ["Hãy nêu lý do hủy cuộc họp."]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.sequence == 0
    assert not Notification.objects.filter(kind=Kind.MEETING_CANCELLED).exists()


def test_only_a_planned_meeting_can_be_cancelled_and_a_cancelled_one_is_shut(
    world, meeting, django_capture_on_commit_callbacks
):
    secretariat = world.users["secretariat"]
    _cancel(world, meeting, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Chỉ hủy được cuộc họp chưa diễn ra"):
        bloc_services.meeting_cancel(meeting=meeting, reason="Lần nữa", actor=secretariat)
    with pytest.raises(ValidationError, match="đã bị hủy"):
        bloc_services.meeting_update(meeting=meeting, place="Nơi khác", actor=secretariat)
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.place == "Hải Phòng"
    # the reason is in the history, with who cancelled
    last = meeting.history.first()
    assert last.history_change_reason == "Trùng lịch họp của Thành ủy"
    assert last.history_user == secretariat


def test_a_held_meeting_cannot_be_cancelled(world, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="Chỉ hủy được cuộc họp chưa diễn ra"):
        bloc_services.meeting_cancel(meeting=meeting, reason="x", actor=world.users["secretariat"])


def test_a_member_cannot_cancel(world, meeting):
    with pytest.raises(PermissionDenied):
        bloc_services.meeting_cancel(meeting=meeting, reason="x", actor=world.users["member"])


def test_the_secretariat_confirms_on_a_page_and_the_lists_say_cancelled(
    world, meeting, client_for, django_capture_on_commit_callbacks
):
    secretariat = client_for("secretariat")
    detail = secretariat.get(meeting.get_absolute_url()).content.decode()
    url = reverse("blocs:meeting_cancel", args=[meeting.pk])
    assert f'href="{url}"' in detail
    page = secretariat.get(url)
    assert page.status_code == 200
    assert "Lý do hủy" in page.content.decode()
    empty = secretariat.post(url, {"reason": ""})
    assert empty.status_code == 200 and "Trường này là bắt buộc" in empty.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED

    with django_capture_on_commit_callbacks(execute=True):
        done = secretariat.post(url, {"reason": "Trùng lịch"})
    assert done.status_code == 302 and done.url == meeting.get_absolute_url()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED

    listed = secretariat.get(reverse("blocs:meeting_list", args=[world.bloc.pk])).content.decode()
    assert "Đã hủy" in listed and "text-decoration-line-through" in listed
    detail = secretariat.get(meeting.get_absolute_url()).content.decode()
    assert "Cuộc họp này đã bị hủy." in detail and "Trùng lịch" in detail
    for form in ("meeting_edit", "meeting_decision", "attachment_add", "meeting_cancel"):
        assert reverse(f"blocs:{form}", args=[meeting.pk]) not in detail, form
    # the forms of a cancelled meeting send the secretariat back with the reason why
    again = secretariat.get(reverse("blocs:meeting_edit", args=[meeting.pk]))
    assert again.status_code == 302 and again.url == meeting.get_absolute_url()

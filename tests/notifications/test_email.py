"""E-mails through real SMTP: a server on loopback receives what Django's SMTP backend sends;
the tests read the messages back."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from blocs import services as bloc_services
from blocs.models import Meeting, current_year
from notifications import tasks
from notifications.kinds import Kind, Mode
from notifications.models import EmailDelivery, Notification, Preference, Subscriber
from pledges import services as pledge_services


def _send_back(world, sheet, django_capture_on_commit_callbacks, reason="Bổ sung minh chứng A1"):
    with django_capture_on_commit_callbacks(execute=True):
        pledge_services.sheet_return(sheet=sheet, reason=reason, actor=world.users["secretariat"])


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_sheet_sent_back_is_emailed_at_once_in_vietnamese(
    world, scoring, smtp, django_capture_on_commit_callbacks
):
    pledge, sheet = scoring
    _send_back(world, sheet, django_capture_on_commit_callbacks)

    [message] = smtp.to("member@example.org")
    assert "Ban thường trực đã trả lại bảng tự chấm" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://testserver/notifications/unsubscribe/")
    )
    text, html = _parts(message)
    assert "Kính gửi" in text and "Bổ sung minh chứng A1" in text
    assert "Liên đoàn Lao động thành phố" in html
    sheet_url = "http://testserver" + reverse("pledges:self_score", args=[pledge.pk])
    assert sheet_url in text and f'href="{sheet_url}"' in html
    delivery = EmailDelivery.objects.get(recipient=world.users["member"])
    assert delivery.sent_at is not None and delivery.attempts == 1 and delivery.last_error == ""


def test_the_language_is_the_persons(world, scoring, smtp, django_capture_on_commit_callbacks):
    _pledge, sheet = scoring
    Subscriber.objects.create(user=world.users["member"], language="en")
    _send_back(world, sheet, django_capture_on_commit_callbacks)
    [message] = smtp.to("member@example.org")
    assert "The secretariat sent the self-scoring" in message["Subject"]
    assert "Dear " in _parts(message)[0]


def test_the_unsubscribe_link_works_without_a_login(
    world, scoring, smtp, client, django_capture_on_commit_callbacks
):
    _pledge, sheet = scoring
    _send_back(world, sheet, django_capture_on_commit_callbacks)
    [message] = smtp.to("member@example.org")
    link = re.search(r"<http://testserver(/[^>]+)>", message["List-Unsubscribe"]).group(1)

    page = client.get(link)  # a GET only asks (link scanners must not unsubscribe anyone)
    assert page.status_code == 200
    assert not Preference.objects.exists()
    done = client.post(link, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert done.status_code == 200
    mode = Preference.objects.get(user=world.users["member"], kind=Kind.SHEET_RETURNED).mode
    assert mode == Mode.OFF


def test_a_forged_unsubscribe_token_changes_nothing(world, client):
    response = client.post(reverse("notifications:unsubscribe", args=["forged:token"]))
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_the_digest_holds_the_days_notices_newest_first(world, smtp):
    member = world.users["member"]
    now = timezone.now()
    for i, title in enumerate(["Giao ước năm nay", "Giao ước bổ sung"]):
        Notification.objects.create(
            recipient=member,
            kind=Kind.PLEDGE_OPENED,
            event_key=f"e{i}",
            url="/pledges/1/",
            params={"pledge": title, "bloc": world.bloc.name},
            created_at=now - datetime.timedelta(hours=2 - i),
        )
    assert tasks.send_digests.apply().result == 1
    assert tasks.send_digests.apply().result == 0  # a second beat: nothing more
    [message] = smtp.to("member@example.org")
    text, html = _parts(message)
    assert "2 thông báo" in message["Subject"]
    assert text.index("Giao ước bổ sung") < text.index("Giao ước năm nay")
    assert message["List-Unsubscribe"]


def test_a_meeting_invitation_carries_its_ics(world, smtp, django_capture_on_commit_callbacks):
    Preference.objects.create(
        user=world.users["member"], kind=Kind.MEETING_CHANGED, mode=Mode.IMMEDIATE
    )
    starts = timezone.localtime().replace(microsecond=0) + datetime.timedelta(days=10)
    meeting = bloc_services.meeting_create(
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
    with django_capture_on_commit_callbacks(execute=True):
        bloc_services.meeting_update(
            meeting=meeting, place="Nhà văn hóa lao động", actor=world.users["secretariat"]
        )
    [message] = smtp.to("member@example.org")
    [invite] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    ics = invite.get_content()
    assert "METHOD:REQUEST" in ics and "SEQUENCE:1" in ics
    assert "Nhà văn hóa lao động" in ics


def test_smtp_down_keeps_the_error_for_the_admin_and_a_later_run_sends(
    world, scoring, smtp_down, django_capture_on_commit_callbacks, settings
):
    _pledge, sheet = scoring
    _send_back(world, sheet, django_capture_on_commit_callbacks)  # the action still succeeds
    sheet.refresh_from_db()
    assert sheet.status == "draft"
    delivery = EmailDelivery.objects.get(recipient=world.users["member"])
    assert delivery.sent_at is None and delivery.attempts == 1
    assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error

    # SMTP is back: the beat's send_pending sends it, once.
    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        tasks.send_pending.apply()
        tasks.send_pending.apply()
    finally:
        controller.stop()
    assert len(inbox.to("member@example.org")) == 1
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 2


def test_a_refusing_smtp_server_is_retried_by_the_worker_with_a_backoff(world, smtp, monkeypatch):
    # With a broker, a failed send raises Retry with a growing countdown.
    from celery.exceptions import Retry

    member = world.users["member"]
    notice = Notification.objects.create(
        recipient=member, kind=Kind.SHEET_RETURNED, event_key="x", email=Mode.IMMEDIATE
    )
    delivery = EmailDelivery.objects.create(
        key=f"notice:{notice.pk}", kind="notice", recipient=member, to=member.email
    )
    notice.delivery = delivery
    notice.save()
    smtp.refuse = True
    countdowns = []

    def retry(*, exc, countdown):
        countdowns.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(tasks.send_delivery, "retry", retry)
    for attempt in range(3):
        request = {"retries": attempt, "is_eager": False}
        tasks.send_delivery.push_request(**request)
        try:
            with pytest.raises(Retry):
                tasks.send_delivery.run(delivery.pk)
        finally:
            tasks.send_delivery.pop_request()
    assert countdowns == [60, 120, 240]
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and "451" in delivery.last_error


def test_a_new_notice_does_not_wait_for_older_failures(world, smtp):
    member, secretary = world.users["member"], world.users["secretariat"]
    old = Notification.objects.create(
        recipient=secretary, kind=Kind.REPORT_FAILED, event_key="old", params={"document": "BC"}
    )
    failed = EmailDelivery.objects.create(
        key=f"notice:{old.pk}",
        kind="notice",
        recipient=secretary,
        to=secretary.email,
        attempts=1,
        last_error="SMTPServerDisconnected",
    )
    Notification.objects.filter(pk=old.pk).update(delivery=failed)
    Notification.objects.create(
        recipient=member,
        kind=Kind.SHEET_RETURNED,
        event_key="new",
        email=Mode.IMMEDIATE,
        params={"organization": "LĐLĐ", "pledge": "Giao ước"},
    )
    assert tasks.send_immediate.apply().result == 1  # the new one only
    assert [m.envelope_to for m in smtp.messages] == [[member.email]]
    assert tasks.send_pending.apply().result == 1  # the beat retries the old one
    assert len(smtp.to(secretary.email)) == 1


# --- The admin's SMTP test button --------------------------------------------------------


def test_the_admin_smtp_test_button_sends_to_the_admin(admin_client, admin_user, smtp):
    from django.contrib.messages import get_messages

    changelist = admin_client.get(reverse("admin:notifications_emaildelivery_changelist"))
    url = reverse("admin:notifications_emaildelivery_smtp_test")
    assert f'action="{url}"' in changelist.content.decode()  # no row needs selecting
    assert admin_client.get(url).status_code == 302 and not smtp.messages  # a GET sends nothing

    response = admin_client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("admin:notifications_emaildelivery_changelist")
    [message] = smtp.to(admin_user.email)
    assert message["Subject"] == "Thư thử của cổng thi đua"
    [said] = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == f"Đã gửi tới {admin_user.email}."


def test_the_admin_smtp_test_button_says_what_smtp_refused(admin_client, smtp_down):
    from django.contrib.messages import get_messages

    response = admin_client.post(reverse("admin:notifications_emaildelivery_smtp_test"))
    assert response.status_code == 302
    [said] = [str(m) for m in get_messages(response.wsgi_request)]
    assert said.startswith("Máy chủ SMTP từ chối")


def test_the_smtp_test_button_is_not_for_staff_without_the_permission(client, world):
    client.force_login(world.users["staff"])
    response = client.post(reverse("admin:notifications_emaildelivery_smtp_test"))
    assert response.status_code == 403

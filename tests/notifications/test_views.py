"""The bell, the notices list, opening a notice, mark all read, the settings page and the
personal calendar feed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from blocs.models import Meeting, current_year
from notifications.kinds import Kind, Mode
from notifications.models import Notification, Preference, Subscriber


def _notice(user, key: str, **fields) -> Notification:
    values = {"kind": Kind.PLEDGE_OPENED, "params": {"pledge": "Giao ước", "bloc": "Khối"}}
    return Notification.objects.create(recipient=user, event_key=key, **{**values, **fields})


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_bell_shows_the_unread_count_on_every_page(world, client_for):
    member = world.users["member"]
    for i in range(3):
        _notice(member, f"e{i}")
    _notice(member, "read", read_at=timezone.now())
    client = client_for("member")
    for url in (reverse("home"), reverse("blocs:bloc_list"), reverse("notifications:list")):
        page = client.get(url).content.decode()
        assert 'id="bell-count">3<' in page, url


def test_the_bell_costs_one_query_however_many_notices(world, client_for):
    member = world.users["member"]
    client = client_for("member")
    url = reverse("blocs:bloc_list")
    _notice(member, "first")
    few = _page_queries(client, url)
    for i in range(40):
        _notice(member, f"more{i}")
    assert _page_queries(client, url) == few
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert sum("notifications_notification" in q["sql"] for q in captured) == 1


def test_the_list_page_query_count_does_not_grow(world, client_for):
    member = world.users["member"]
    client = client_for("member")
    url = reverse("notifications:list")
    _notice(member, "one")
    few = _page_queries(client, url)
    for i in range(25):
        _notice(member, f"more{i}", detail="Lý do " * 3)
    assert _page_queries(client, url) == few


def test_the_list_shows_only_ones_own_and_filters_unread(world, client_for):
    _notice(world.users["member"], "mine", params={"pledge": "Của tôi", "bloc": "K"})
    _notice(world.users["secretariat"], "theirs", params={"pledge": "Của người khác", "bloc": "K"})
    _notice(
        world.users["member"],
        "old",
        params={"pledge": "Đã đọc", "bloc": "K"},
        read_at=timezone.now(),
    )
    client = client_for("member")
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Của tôi" in page and "Đã đọc" in page and "Của người khác" not in page
    unread = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert "Của tôi" in unread and "Đã đọc" not in unread


def test_an_empty_list_says_so(world, client_for):
    page = client_for("member").get(reverse("notifications:list")).content.decode()
    assert "Chưa có thông báo" in page


def test_opening_a_notice_marks_it_read_and_goes_to_the_thing(world, client_for):
    notice = _notice(
        world.users["member"], "e", url=reverse("blocs:bloc_detail", args=[world.bloc.pk])
    )
    response = client_for("member").get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302
    assert response.url == reverse("blocs:bloc_detail", args=[world.bloc.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_link_to_another_site_is_not_followed(world, client_for):
    notice = _notice(world.users["member"], "e", url="https://evil.example/")
    response = client_for("member").get(reverse("notifications:open", args=[notice.pk]))
    assert response.url == reverse("notifications:list")


def test_mark_all_read_is_a_post_and_says_how_many(world, client_for):
    member = world.users["member"]
    for i in range(2):
        _notice(member, f"e{i}")
    other = _notice(world.users["secretariat"], "x")
    client = client_for("member")
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "Đã đánh dấu 2 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_the_settings_page_saves_modes_and_language(world, client_for):
    client = client_for("member")
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Cài đặt thông báo" in page
    data = {"language": "en"}
    for kind in Kind.values:
        data[f"kind_{kind}"] = Mode.DIGEST
    data[f"kind_{Kind.PLEDGE_OPENED}"] = Mode.OFF
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    member = world.users["member"]
    assert Preference.objects.get(user=member, kind=Kind.PLEDGE_OPENED).mode == Mode.OFF
    assert Subscriber.objects.get(user=member).language == "en"


def test_a_bad_mode_is_refused_and_changes_nothing(world, client_for):
    client = client_for("member")
    data = {"language": "vi", f"kind_{Kind.PLEDGE_OPENED}": "loudly"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert not Preference.objects.exists()


def _meeting(world, bloc=None, title="Hội nghị sơ kết 6 tháng"):
    starts = timezone.now() + datetime.timedelta(days=5)
    return Meeting.objects.create(
        bloc=bloc or world.bloc,
        year=current_year(),
        kind=Meeting.Kind.MID_YEAR,
        title=title,
        starts_at=starts,
        place="Hải Phòng",
    )


def test_the_calendar_feed_needs_no_session_and_reminds_the_day_before(world, client_for, client):
    _meeting(world)
    _meeting(world, bloc=world.other_bloc, title="Họp cụm khác")
    member = client_for("member")
    member.post(reverse("notifications:calendar_regenerate"))
    token = Subscriber.objects.get(user=world.users["member"]).calendar_token
    assert token and token in member.get(reverse("notifications:preferences")).content.decode()
    member.logout()

    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Hội nghị sơ kết 6 tháng"  # not the other bloc's
    [alarm] = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == -datetime.timedelta(days=1)


def test_a_new_calendar_address_stops_the_old_one_and_off_stops_both(world, client_for, client):
    member = client_for("member")
    member.post(reverse("notifications:calendar_regenerate"))
    old = Subscriber.objects.get(user=world.users["member"]).calendar_token
    member.post(reverse("notifications:calendar_regenerate"))
    new = Subscriber.objects.get(user=world.users["member"]).calendar_token
    assert old != new
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
    member.post(reverse("notifications:calendar_revoke"))
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 404


def test_the_old_session_calendar_still_works_and_carries_a_sequence(world, client_for):
    meeting = _meeting(world)
    response = client_for("member").get(reverse("blocs:bloc_ics", args=[world.bloc.pk]))
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["UID"] == f"meeting-{meeting.pk}@emulation-portal"
    assert int(event["SEQUENCE"]) == 0


@pytest.mark.parametrize("token", ["nope", "x" * 40])
def test_an_unknown_calendar_key_is_404(db, client, token):
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404

"""History an admin and the secretariat can read (issue 12): local time, labels instead of
codes, dates as dates, people by name, the reason only where there was one, and no phantom
change when a form posts a text back with other line endings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from blocs.models import current_year
from pledges.models import Pledge
from portal.lib.history import readable_changes, readable_records, with_previous
from portal.lib.people import person_name
from tests.factories import PledgeFactory, UserFactory

YEAR = current_year()


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def pledge(world):
    return PledgeFactory(
        bloc=world.bloc,
        year=YEAR,
        status=Pledge.Status.SIGNED,
        legal_basis="Căn cứ Luật Thi đua, khen thưởng\nCăn cứ Nghị định số 98/2023/NĐ-CP",
    )


def _two_latest(obj):
    newest, previous = obj.history.select_related("history_user")[:2]
    return newest, previous


def test_a_change_reads_in_labels_dates_and_names(pledge, vietnamese):
    official = UserFactory(first_name="Hoa", last_name="Trần Thị", username="hoatt")
    pledge.status = Pledge.Status.SCORING
    pledge.registration_deadline = dt.date(YEAR, 3, 31)
    pledge.bonus_cap = Decimal("2.50")
    pledge._history_user = official
    pledge.save()
    newest, previous = _two_latest(pledge)
    changes = {c.field: (c.old, c.new) for c in readable_changes(newest, previous)}
    assert changes["Trạng thái"] == ("Đã ký kết", "Chấm điểm")
    assert changes["Hạn đăng ký thi đua"] == ("—", f"31/03/{YEAR}")
    assert changes["Điểm thưởng tối đa"][1] == "2,50"
    assert "Căn cứ pháp lý" not in changes  # not touched
    [entry] = readable_records([(newest, previous)])
    assert entry.author == "Trần Thị Hoa"  # the name, family first, not "hoatt"
    assert entry.reason == ""  # no reason given: nothing, not "None"
    assert entry.kind == "Sửa"


def test_the_time_is_local_and_the_reason_kept(pledge, vietnamese):
    pledge.status = Pledge.Status.SCORING
    pledge._change_reason = "Mở lại để sửa điểm"
    pledge.save()
    newest, previous = _two_latest(pledge)
    newest.history_date = dt.datetime(YEAR, 3, 5, 23, 30, tzinfo=dt.UTC)
    [entry] = readable_records([(newest, previous)])
    assert entry.when == f"06/03/{YEAR} 06:30"  # Asia/Ho_Chi_Minh is UTC+7
    assert entry.reason == "Mở lại để sửa điểm"


def test_a_text_posted_back_with_crlf_is_stored_as_it_was(pledge):
    pledge.legal_basis = pledge.legal_basis.replace("\n", "\r\n")
    pledge.scoring_deadline = dt.date(YEAR, 11, 30)
    pledge.save()
    pledge.refresh_from_db()
    assert "\r" not in pledge.legal_basis
    newest, previous = _two_latest(pledge)
    assert [c.field for c in readable_changes(newest, previous)] == ["Hạn tự chấm điểm"]


def test_old_crlf_history_shows_no_phantom_change(pledge):
    # A version stored before line endings were normalized on save.
    pledge.history.filter(pk=pledge.history.latest().pk).update(
        legal_basis=pledge.legal_basis.replace("\n", "\r\n")
    )
    pledge.scoring_deadline = dt.date(YEAR, 11, 30)
    pledge.save()
    newest, previous = _two_latest(pledge)
    assert [c.field for c in readable_changes(newest, previous)] == ["Hạn tự chấm điểm"]


def test_editing_only_a_deadline_in_the_portal_records_only_the_deadline(pledge, client_for):
    from tests.pledges.test_pledge_views import rules_data

    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.DRAFT)
    data = rules_data(legal_basis=pledge.legal_basis)  # stored with "\n", as services write
    client = client_for("secretariat")
    client.post(reverse("pledges:pledge_edit", args=[pledge.pk]), data)
    before = pledge.history.count()
    # posted back as a browser does: the textarea's lines end in "\r\n", the two saved bands
    # are the formset's initial rows
    data.update(
        {
            "legal_basis": pledge.legal_basis.replace("\n", "\r\n"),
            "bands-INITIAL_FORMS": "2",
            "registration_deadline": f"30/04/{YEAR}",
        }
    )
    client.post(reverse("pledges:pledge_edit", args=[pledge.pk]), data)
    assert pledge.history.count() == before + 1
    newest, previous = _two_latest(pledge)
    assert [c.field for c in readable_changes(newest, previous)] == ["Hạn đăng ký thi đua"]


def test_a_first_version_lists_no_change(pledge):
    [first] = pledge.history.all()
    [entry] = readable_records(with_previous([first]))
    assert entry.changes == [] and entry.kind == "Tạo mới"


def test_the_admin_history_page_reads_as_people_read_it(pledge, client_for, settings):
    settings.LANGUAGE_CODE = "vi"
    official = UserFactory(first_name="Hoa", last_name="Trần Thị", username="hoatt")
    pledge.status = Pledge.Status.SCORING
    pledge._history_user = official
    pledge._change_reason = "Bắt đầu chấm điểm"
    pledge.save()
    client = client_for("admin")
    url = reverse("admin:pledges_pledge_history", args=[pledge.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Đã ký kết&nbsp;&rarr;&nbsp;Chấm điểm" in html
    assert "Trần Thị Hoa" in html and ">hoatt<" not in html
    assert "Bắt đầu chấm điểm" in html
    assert "None" not in html.split('id="change-history"', 1)[1]
    newest = pledge.history.first().history_date
    from django.utils import timezone

    assert timezone.localtime(newest).strftime("%d/%m/%Y %H:%M") in html


# --- The portal's "Lịch sử" page ----------------------------------------------------------


def _history_url(world, **query):
    from urllib.parse import urlencode

    url = reverse("pledges:bloc_history", args=[world.bloc.pk])
    return f"{url}?{urlencode(query)}" if query else url


def _meeting(world, title):
    from django.utils import timezone

    from blocs.models import Meeting

    return Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.OTHER,
        title=title,
        starts_at=timezone.now(),
        place="Hải Phòng",
    )


def _changes(pledge, n, author=None):
    for i in range(n):
        pledge.leading_units = i + 1
        pledge._history_user = author
        pledge.save()


def test_the_page_lists_the_years_changes_newest_first(world, pledge, client_for):
    secretary = world.users["secretariat"]
    secretary.first_name, secretary.last_name = "Hoa", "Trần Thị"
    secretary.save()
    pledge.status = Pledge.Status.SCORING
    pledge._history_user = secretary
    pledge._change_reason = "Bắt đầu chấm điểm"
    pledge.save()
    meeting = _meeting(world, "Hội nghị sơ kết 6 tháng")
    PledgeFactory(bloc=world.bloc, year=YEAR - 1, title="Giao ước năm trước")
    response = client_for("secretariat").get(_history_url(world))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e.record.history_date for e in entries] == sorted(
        (e.record.history_date for e in entries), reverse=True
    )
    assert entries[0].subject == meeting.title  # the newest: the meeting just created
    scoring = next(e for e in entries if e.reason)
    assert scoring.author == "Trần Thị Hoa" and scoring.reason == "Bắt đầu chấm điểm"
    assert [(c.field, c.old, c.new) for c in scoring.changes] == [
        ("Trạng thái", "Đã ký kết", "Chấm điểm")
    ]
    html = response.content.decode()
    assert "Giao ước năm trước" not in html  # another year
    assert "None" not in html


def test_members_do_not_read_it_nor_see_the_link(world, client_for):
    bloc_page = reverse("blocs:bloc_detail", args=[world.bloc.pk])
    link = reverse("pledges:bloc_history", args=[world.bloc.pk])
    member = client_for("member")
    assert member.get(_history_url(world)).status_code == 403
    assert link not in member.get(bloc_page).content.decode()
    assert link in client_for("secretariat").get(bloc_page).content.decode()


def test_the_page_is_paginated_with_a_constant_query_count(world, pledge, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pledges.selectors.history import PER_PAGE

    client = client_for("secretariat")
    _changes(pledge, 3, world.users["secretariat"])
    _meeting(world, "Hội nghị 1")
    with CaptureQueriesContext(connection) as few:
        client.get(_history_url(world))
    _changes(pledge, PER_PAGE + 10, world.users["admin"])
    for i in range(5):
        _meeting(world, f"Hội nghị {i + 2}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(_history_url(world))
    assert len(response.context["entries"]) == PER_PAGE
    assert len(many) <= len(few)
    second = client.get(_history_url(world, page=2))
    assert second.context["entries"][0].record.history_date < (
        response.context["entries"][-1].record.history_date
    )


def test_a_reopening_shows_its_reason_and_a_penalty_its_member(world, pledge, client_for):
    from pledges.models import Adjustment
    from pledges.services.status import pledge_reopen

    secretary = world.users["secretariat"]
    pledge.status = Pledge.Status.CLOSED
    pledge.save()
    pledge_reopen(pledge=pledge, reason="  Sửa điểm B1 của Thành đoàn ", actor=secretary)
    line = Adjustment.objects.create(
        pledge=pledge,
        organization=world.orgs[1],
        kind=Adjustment.Kind.PENALTY,
        points=Decimal("0.50"),
        reason="Nộp báo cáo muộn",
        created_by=secretary,
    )
    line.points = Decimal("1.25")
    line.save()
    entries = client_for("secretariat").get(_history_url(world)).context["entries"]
    changed = entries[0]
    assert changed.subject == "Thành đoàn Hải Phòng – Điểm trừ"
    assert [(c.field, c.old, c.new) for c in changed.changes] == [("Điểm", "0,50", "1,25")]
    reopened = next(e for e in entries if e.reason)
    assert reopened.reason == "Sửa điểm B1 của Thành đoàn"
    assert reopened.author == person_name(secretary)
    assert [(c.old, c.new) for c in reopened.changes] == [("Đã khóa sổ", "Chấm điểm")]


def test_the_admin_history_page_reads_names_in_a_constant_number_of_queries(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from blocs.models import ChairTerm

    term = ChairTerm.objects.get(bloc=world.bloc, year=YEAR)
    client = client_for("admin")
    url = reverse("admin:blocs_chairterm_history", args=[term.pk])

    def swap_deputies(times):
        for i in range(times):
            term.deputy = world.orgs[1 + i % 3]
            term._history_user = world.users["secretariat"]
            term.save()

    swap_deputies(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    swap_deputies(30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) <= len(few)
    entries = response.context["page_obj"].readable
    assert entries[0].changes[0].field == "Phó khối/cụm"
    assert {entries[0].changes[0].old, entries[0].changes[0].new} <= {o.name for o in world.orgs}

"""manage.py load_demo: the seed articles' facts, idempotence, and the demo logins."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from blocs import demo
from blocs.models import (
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    MeetingDecision,
    MeetingPerson,
    Official,
    current_year,
)
from blocs.rules import is_secretariat
from portal.lib.people import person_name

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def load() -> str:
    out = StringIO()
    # The test runner turns DEBUG off, which the command refuses without --force.
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("blocs").get_models(), get_user_model()]
    return {m._meta.label: m._default_manager.count() for m in models}


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())


def test_running_twice_changes_nothing():
    first_output = load()
    first = row_counts()
    second_output = load()

    assert row_counts() == first
    assert first["blocs.Bloc"] == 5
    assert first["blocs.Meeting"] == 5
    # The second run re-saved nothing: the history tables (in row_counts) did not grow.
    assert "created" in first_output
    assert "Nothing to change" in second_output
    for account in demo.DEMO_ACCOUNTS:
        assert account.username in second_output
        assert account.password in second_output


def test_hai_phong_chairs_from_the_article_then_rotation():
    load()
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    terms = {t.year: t for t in ChairTerm.objects.filter(bloc=bloc).select_related("chair")}

    assert terms[2020].chair.name == demo.HP_HLHPN
    assert terms[2020].deputy.name == demo.HP_TD
    assert terms[2021].chair.name == demo.HP_TD
    assert terms[2021].method == ChairTerm.Method.ELECTION
    assert "29/12/2020" in terms[2021].note
    assert terms[2021].elected_at.starts_at.date().isoformat() == "2020-12-29"
    assert sorted(terms) == list(range(2020, current_year() + 1))
    generated = [terms[y] for y in range(2022, current_year() + 1)]
    assert all(t.method == ChairTerm.Method.ROTATION for t in generated)
    assert all(t.note == demo.ROTATION_NOTE for t in generated)
    # Rotation: last year's deputy chairs.
    assert terms[2022].chair_id == terms[2021].deputy_id


def test_hanoi_cluster_and_seed_officials():
    load()
    cluster = Bloc.objects.get(name=demo.HN_CLUSTER)
    assert cluster.kind == Bloc.Kind.CUM
    assert cluster.number == "5"
    assert cluster.organizing_body.name == demo.HN_MTTQ
    assert cluster.memberships.filter(organization__name=demo.HN_SON_TAY).exists()

    lien = Official.objects.select_related("user", "organization").get(
        user__username="vu.thi.bich.lien"
    )
    # Stored the Vietnamese way round (family and middle names in "Họ", the given name in
    # "Tên"), and shown family name first.
    assert (lien.user.last_name, lien.user.first_name) == ("Vũ Thị Bích", "Liên")
    assert person_name(lien.user) == "Vũ Thị Bích Liên"
    assert lien.organization.name == demo.HP_HLHPN
    assert not lien.user.has_usable_password()


def test_demo_users_log_in_with_their_roles(client):
    load()
    hp_bloc = Bloc.objects.get(name=demo.HP_BLOC)
    hn_cluster = Bloc.objects.get(name=demo.HN_CLUSTER)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["admin", "thuky", "hoivien"])
    }

    for account in demo.DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=account.password)
        client.logout()
    assert users["admin"].is_staff and users["admin"].is_superuser

    this_year = ChairTerm.objects.get(bloc=hp_bloc, year=current_year())
    assert users["thuky"].official.organization == this_year.chair
    assert hp_bloc.secretary_assignments.filter(user=users["thuky"]).active_in(this_year.year)
    assert is_secretariat(users["thuky"], hp_bloc)

    hoivien = users["hoivien"]
    assert hoivien.official.organization != this_year.chair
    assert not is_secretariat(hoivien, hp_bloc)
    visible = Bloc.objects.visible_to(hoivien)
    assert hp_bloc in visible
    assert hn_cluster not in visible


def test_passwords_are_reset_on_each_run(client):
    load()
    thuky = get_user_model().objects.get(username="thuky")
    thuky.set_password("something-else")
    thuky.save()
    load()
    assert client.login(username="thuky", password=demo.SECRETARY.password)


# ---------------------------------------------------------------------------
# Meetings from the articles
# ---------------------------------------------------------------------------


def _local(meeting: Meeting):
    return timezone.localtime(meeting.starts_at, VN)


@pytest.mark.parametrize(
    ("bloc", "day", "kind", "year"),
    [
        (demo.HP_BLOC, dt.date(2020, 12, 29), Meeting.Kind.YEAR_END, 2020),
        (demo.ND_BLOC, dt.date(2020, 2, 12), Meeting.Kind.LAUNCH, 2020),
        (demo.LC_BLOC, dt.date(2021, 1, 7), Meeting.Kind.YEAR_END, 2020),
        (demo.HN_CLUSTER, dt.date(2020, 2, 11), Meeting.Kind.LAUNCH, 2020),
        (demo.P4_BLOC, dt.date(2020, 7, 1), Meeting.Kind.MID_YEAR, 2020),
    ],
)
def test_the_five_meetings_have_the_articles_dates_and_kinds(bloc, day, kind, year):
    load()
    meeting = Meeting.objects.get(bloc__name=bloc)
    assert _local(meeting).date() == day
    assert (meeting.kind, meeting.year) == (kind, year)
    assert meeting.status == Meeting.Status.APPROVED
    assert meeting.agenda.exists()
    assert meeting.minutes
    members = meeting.bloc.memberships.active_in(year).count()
    assert meeting.attendance.filter(status=Attendance.Status.PRESENT).count() == members


def test_hai_phong_review_elects_thanh_doan_for_2021():
    load()
    meeting = Meeting.objects.get(bloc__name=demo.HP_BLOC)
    assert _local(meeting).hour >= 12  # "Chiều 29/12"
    term = ChairTerm.objects.get(bloc=meeting.bloc, year=2021)
    assert term.chair.name == demo.HP_TD
    assert term.method == ChairTerm.Method.ELECTION
    assert term.elected_at == meeting
    decision = meeting.decisions.get(kind=MeetingDecision.Kind.ELECTION)
    assert decision.chair_term == term
    assert (decision.year, decision.organization, decision.deputy) == (
        2021,
        term.chair,
        term.deputy,
    )
    # Approved: the record has what approval asks for.
    assert meeting.status == Meeting.Status.APPROVED and meeting.ends_at is not None
    assert meeting.people.filter(role=MeetingPerson.Role.SECRETARY).exists()
    presiding = meeting.people.get(role=MeetingPerson.Role.PRESIDING)
    assert presiding.name == "Vũ Thị Bích Liên"
    guest = meeting.people.get(role=MeetingPerson.Role.GUEST)
    assert guest.name == "Nguyễn Thị Minh Phương"
    assert meeting.attendance.count() == 6


def test_mid_year_review_has_two_presiding_persons():
    load()
    meeting = Meeting.objects.get(bloc__name=demo.P4_BLOC)
    presiding = meeting.people.filter(role=MeetingPerson.Role.PRESIDING)
    assert sorted(p.name for p in presiding) == ["Nguyễn Hữu Lạc", "Trần Quang Vinh"]


def test_guests_and_host_of_the_launch_meetings():
    load()
    nam_dinh = Meeting.objects.get(bloc__name=demo.ND_BLOC)
    assert [p.name for p in nam_dinh.people.filter(role=MeetingPerson.Role.GUEST)] == [
        "Trần Văn Chung"
    ]
    # The article names no presiding person: the Front committee's chairman presides.
    assert nam_dinh.people.get(role=MeetingPerson.Role.PRESIDING).name == "Đoàn Văn Hùng"
    hanoi = Meeting.objects.get(bloc__name=demo.HN_CLUSTER)
    assert hanoi.host.name == demo.HN_SON_TAY
    assert "Sơn Tây" in hanoi.place
    assert [p.name for p in hanoi.people.filter(role=MeetingPerson.Role.GUEST)] == [
        "Nguyễn Thị Kim Dung"
    ]
    # No article names the minute-taker: the office is named, not an invented person.
    assert hanoi.people.get(role=MeetingPerson.Role.SECRETARY).name == f"Cán bộ {demo.HN_SON_TAY}"
    with translation.override("vi"):
        assert hanoi.decisions.get().sentence() == "Thông qua Giao ước thi đua năm 2020."
    assert [a.title for a in hanoi.agenda.all()][1].startswith("Thông qua Quy chế")


def test_le_chan_committee_changes_are_in_the_minutes_only():
    load()
    meeting = Meeting.objects.get(bloc__name=demo.LC_BLOC)
    assert "cho thôi 4" in meeting.minutes
    # The pledge of 2021 was adopted there; no membership changed.
    assert list(meeting.decisions.values_list("kind", "year")) == [("pledge", 2021)]


def test_a_database_loaded_before_the_meetings_gets_the_election():
    """An older demo load made the 2021 term directly; loading again records the meeting
    and the election replaces the term, then nothing changes any more."""
    load()
    meeting = Meeting.objects.get(bloc__name=demo.HP_BLOC)
    meeting.delete()  # the term stays (elected_at is SET_NULL)
    term = ChairTerm.objects.get(bloc__name=demo.HP_BLOC, year=2021)
    assert term.elected_at is None
    load()
    term.refresh_from_db()
    assert term.elected_at == Meeting.objects.get(bloc__name=demo.HP_BLOC)
    counts = row_counts()
    load()
    assert row_counts() == counts

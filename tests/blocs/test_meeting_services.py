"""Meetings: times within the year, attendance of members only, elections, membership
changes, approval and reopening."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from blocs import selectors, services
from blocs.models import (
    Attendance,
    ChairTerm,
    Meeting,
    MeetingDecision,
    Membership,
    current_year,
)
from tests.blocs.records import complete_record
from tests.factories import OrganizationFactory, SecretaryAssignmentFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, h=8):
    return dt.datetime(y, m, d, h, 0, tzinfo=VN)


@pytest.fixture
def meeting(world):
    # Two years back: the world has a chair term only for this year, so next year's is free.
    year = current_year() - 2
    return services.meeting_create(
        bloc=world.bloc,
        year=year,
        kind=Meeting.Kind.YEAR_END,
        title=f"Hội nghị tổng kết công tác thi đua năm {year}",
        starts_at=at(year, 12, 29, 14),
        ends_at=at(year, 12, 29, 17),
        place="Hải Phòng",
        host=world.orgs[0],
    )


class TestTimes:
    def test_end_before_start_is_refused(self, world):
        with pytest.raises(ValidationError) as exc:
            services.meeting_create(
                bloc=world.bloc,
                year=2020,
                kind=Meeting.Kind.MID_YEAR,
                title="Sơ kết",
                starts_at=at(2020, 7, 1, 14),
                ends_at=at(2020, 7, 1, 9),
                place="x",
                host=None,
            )
        assert "ends_at" in exc.value.message_dict
        assert not Meeting.objects.exists()

    @pytest.mark.parametrize(
        ("kind", "start", "ok"),
        [
            (Meeting.Kind.MID_YEAR, at(2020, 7, 1), True),
            (Meeting.Kind.MID_YEAR, at(2021, 1, 5), False),
            (Meeting.Kind.YEAR_END, at(2021, 1, 7), True),  # Lê Chân reviewed 2020 in Jan 2021
            (Meeting.Kind.YEAR_END, at(2021, 4, 2), False),
            (Meeting.Kind.LAUNCH, at(2019, 12, 20), True),
            (Meeting.Kind.LAUNCH, at(2019, 11, 20), False),
            (Meeting.Kind.WORKSHOP, at(2019, 12, 31, 23), False),
        ],
    )
    def test_meeting_must_start_within_its_year(self, world, kind, start, ok):
        def create():
            return services.meeting_create(
                bloc=world.bloc,
                year=2020,
                kind=kind,
                title="t",
                starts_at=start,
                ends_at=None,
                place="x",
                host=None,
            )

        if ok:
            assert create().year == 2020
        else:
            with pytest.raises(ValidationError) as exc:
                create()
            assert "starts_at" in exc.value.message_dict


class TestAttendance:
    def test_prefill_lists_every_member_of_the_year(self, meeting, world):
        rows = selectors.attendance_initial(meeting)
        assert [r["organization"] for r in rows] == world.orgs
        assert {r["status"] for r in rows} == {Attendance.Status.PRESENT}

    def test_saves_and_counts_quorum(self, meeting, world):
        rows = selectors.attendance_initial(meeting)
        rows[3]["status"] = Attendance.Status.EXCUSED
        rows[0]["representative"] = "Vũ Thị Bích Liên"
        services.meeting_save_attendance(meeting=meeting, rows=rows)
        assert selectors.quorum(meeting) == (3, 4)
        # saving again with a change updates in place, no duplicates
        rows[3]["status"] = Attendance.Status.PRESENT
        services.meeting_save_attendance(meeting=meeting, rows=rows)
        assert Attendance.objects.filter(meeting=meeting).count() == 4
        assert selectors.quorum(meeting) == (4, 4)

    def test_a_non_member_is_refused(self, meeting, world):
        rows = selectors.attendance_initial(meeting)
        rows.append(
            {
                "organization": world.outsider_org,
                "status": "present",
                "representative": "",
                "representative_position": "",
            }
        )
        with pytest.raises(ValidationError) as exc:
            services.meeting_save_attendance(meeting=meeting, rows=rows)
        assert exc.value.code == "not_member"
        assert not Attendance.objects.exists()

    def test_a_member_listed_twice_is_refused(self, meeting):
        rows = selectors.attendance_initial(meeting)
        with pytest.raises(ValidationError):
            services.meeting_save_attendance(meeting=meeting, rows=rows + rows[:1])
        assert not Attendance.objects.exists()


class TestElection:
    def test_creates_next_years_term_linked_to_the_meeting(self, meeting, world):
        actor = world.users["admin"]
        term = services.meeting_elect_chair(
            meeting=meeting, chair=world.orgs[1], deputy=world.orgs[2], actor=actor
        )
        assert (term.year, term.method, term.elected_at) == (
            meeting.year + 1,
            ChairTerm.Method.ELECTION,
            meeting,
        )
        decision = MeetingDecision.objects.get(meeting=meeting)
        assert decision.chair_term == term and decision.decided_by == actor

    def test_an_existing_term_is_replaced_only_when_confirmed(self, meeting, world):
        ChairTerm.objects.filter(bloc=world.bloc, year=meeting.year + 1).delete()
        old = services.chair_term_create(
            bloc=world.bloc, year=meeting.year + 1, chair=world.orgs[3], deputy=None
        )
        with pytest.raises(ValidationError) as exc:
            services.meeting_elect_chair(meeting=meeting, chair=world.orgs[1], deputy=None)
        assert exc.value.code == "term_exists"
        old.refresh_from_db()
        assert old.chair == world.orgs[3] and not MeetingDecision.objects.exists()

        term = services.meeting_elect_chair(
            meeting=meeting, chair=world.orgs[1], deputy=world.orgs[2], replace=True
        )
        assert term.pk == old.pk and term.chair == world.orgs[1]
        assert term.method == ChairTerm.Method.ELECTION

    @pytest.mark.parametrize("who", ["outsider", "same"])
    def test_it_refuses_a_non_member_or_the_same_organization_twice(self, meeting, world, who):
        deputy = world.outsider_org if who == "outsider" else world.orgs[1]
        with pytest.raises(ValidationError) as exc:
            services.meeting_elect_chair(meeting=meeting, chair=world.orgs[1], deputy=deputy)
        assert "deputy" in exc.value.message_dict
        assert not ChairTerm.objects.filter(year=meeting.year + 1).exists()
        assert not MeetingDecision.objects.exists()


class TestMembershipChange:
    def test_join_and_leave_from_a_year(self, meeting, world):
        newcomer = OrganizationFactory(name="Hội Nông dân thành phố")
        year = meeting.year + 1
        joined = services.meeting_change_membership(
            meeting=meeting, organization=newcomer, joins=True, from_year=year
        )
        assert joined.first_year == year and joined.rotation_order == 5
        left = services.meeting_change_membership(
            meeting=meeting, organization=world.orgs[3], joins=False, from_year=year
        )
        assert left.last_year == meeting.year
        members = [o.name for o in selectors.members_in(world.bloc, year)]
        assert newcomer.name in members and world.orgs[3].name not in members
        assert MeetingDecision.objects.filter(meeting=meeting).count() == 2

    def test_the_secretariat_cannot_bring_in_a_new_organization(self, meeting, world):
        newcomer = OrganizationFactory(name="Hội Nông dân thành phố")
        secretariat = world.users["secretariat"]
        # the secretariat of the meeting's year (two years back): assigned for that year
        SecretaryAssignmentFactory(
            bloc=world.bloc, user=secretariat, first_year=meeting.year, last_year=meeting.year
        )
        with pytest.raises(ValidationError) as exc:
            services.meeting_change_membership(
                meeting=meeting,
                organization=newcomer,
                joins=True,
                from_year=meeting.year + 1,
                actor=secretariat,
            )
        assert exc.value.code == "new_organization"
        assert not Membership.objects.filter(organization=newcomer).exists()
        # an organization that was in the bloc before may rejoin through the secretariat
        Membership.objects.create(
            bloc=world.bloc, organization=newcomer, first_year=2015, last_year=2016
        )
        services.meeting_change_membership(
            meeting=meeting,
            organization=newcomer,
            joins=True,
            from_year=meeting.year + 1,
            actor=secretariat,
        )
        assert Membership.objects.filter(organization=newcomer).count() == 2

    @pytest.mark.parametrize("from_year", [2010, 2014])
    def test_a_rejoin_overlapping_the_earlier_membership_is_refused(
        self, meeting, world, from_year
    ):
        """A former member (2015–2016) rejoins from before its earlier membership (an open
        membership from then would cover it; from a year inside it is "already a member"):
        refused with the first year it may rejoin, and nothing is recorded."""
        former = OrganizationFactory(name="Hội Cựu chiến binh thành phố")
        Membership.objects.create(
            bloc=world.bloc, organization=former, first_year=2015, last_year=2016
        )
        with pytest.raises(ValidationError) as exc:
            services.meeting_change_membership(
                meeting=meeting, organization=former, joins=True, from_year=from_year
            )
        assert exc.value.code == "rejoin_overlaps"
        assert exc.value.messages == [
            "Hội Cựu chiến binh thành phố là thành viên từ 2015 đến 2016; có thể gia nhập lại "
            "khối từ năm 2017 trở đi."
        ]
        assert Membership.objects.filter(organization=former).count() == 1
        assert not MeetingDecision.objects.exists()
        # from the year after it left, it rejoins
        services.meeting_change_membership(
            meeting=meeting, organization=former, joins=True, from_year=2017
        )
        spans = Membership.objects.filter(organization=former).order_by("first_year")
        assert [(m.first_year, m.last_year) for m in spans] == [(2015, 2016), (2017, None)]

    def test_joining_twice_is_refused(self, meeting, world):
        with pytest.raises(ValidationError) as exc:
            services.meeting_change_membership(
                meeting=meeting, organization=world.orgs[0], joins=True, from_year=meeting.year
            )
        assert exc.value.code == "already_member"

    def test_leaving_a_bloc_one_is_not_in_is_refused(self, meeting, world):
        with pytest.raises(ValidationError) as exc:
            services.meeting_change_membership(
                meeting=meeting,
                organization=world.outsider_org,
                joins=False,
                from_year=meeting.year + 1,
            )
        assert exc.value.code == "not_member"
        assert Membership.objects.filter(organization=world.outsider_org).get().last_year is None


class TestApproval:
    def test_approve_locks_and_reopen_needs_a_reason(self, meeting, world):
        actor = world.users["admin"]
        with pytest.raises(ValidationError):
            services.meeting_approve(meeting=meeting, actor=actor)  # still planned
        complete_record(meeting)
        services.meeting_mark_held(meeting=meeting, actor=actor)
        meeting = services.meeting_approve(meeting=meeting, actor=actor)
        assert meeting.is_locked and meeting.approved_by == actor

        for write in (
            lambda: services.meeting_update(meeting=meeting, minutes="sửa"),
            lambda: services.meeting_save_attendance(
                meeting=meeting, rows=selectors.attendance_initial(meeting)
            ),
            lambda: services.meeting_save_agenda(meeting=meeting, rows=[{"title": "x"}]),
            lambda: services.meeting_elect_chair(meeting=meeting, chair=world.orgs[1], deputy=None),
        ):
            with pytest.raises(ValidationError) as exc:
                write()
            assert exc.value.code == "locked"

        with pytest.raises(ValidationError):
            services.meeting_reopen(meeting=meeting, reason="  ", actor=actor)
        meeting = services.meeting_reopen(meeting=meeting, reason="Sai tên đại biểu", actor=actor)
        assert meeting.status == Meeting.Status.HELD
        newest = meeting.history.first()
        assert newest.history_change_reason == "Sai tên đại biểu"
        assert newest.history_user == actor
        services.meeting_update(meeting=meeting, minutes="Đã sửa")

    def test_a_future_meeting_cannot_be_held(self, world):
        year = current_year() + 1
        future = services.meeting_create(
            bloc=world.bloc,
            year=year,
            kind=Meeting.Kind.MID_YEAR,
            title="Sơ kết",
            starts_at=at(year, 7, 1),
            ends_at=None,
            place="x",
            host=None,
        )
        with pytest.raises(ValidationError) as exc:
            services.meeting_mark_held(meeting=future)
        assert exc.value.code == "future"


def test_agenda_and_people_sync_updates_in_place(meeting):
    services.meeting_save_agenda(
        meeting=meeting, rows=[{"order": 1, "title": "Báo cáo"}, {"order": 2, "title": "Bầu"}]
    )
    first, second = meeting.agenda.all()
    services.meeting_save_agenda(
        meeting=meeting,
        rows=[{"id": second.pk, "order": 1, "title": "Bầu Trưởng khối", "outcome": "Thống nhất"}],
    )
    assert [(a.pk, a.title) for a in meeting.agenda.all()] == [(second.pk, "Bầu Trưởng khối")]
    services.meeting_save_people(
        meeting=meeting,
        rows=[
            {"role": "presiding", "name": "Vũ Thị Bích Liên", "position": "Chủ tịch Hội LHPN"},
            {"role": "presiding", "name": "Nguyễn Hữu Lạc", "position": "PCT"},
        ],
    )
    assert meeting.people.filter(role="presiding").count() == 2


def test_record_is_saved_all_or_nothing(meeting, world):
    attendance = selectors.attendance_initial(meeting)
    attendance.append(
        {
            "organization": world.outsider_org,
            "status": "present",
            "representative": "",
            "representative_position": "",
        }
    )
    with pytest.raises(ValidationError):
        services.meeting_save_record(
            meeting=meeting,
            people=[{"role": "presiding", "name": "Vũ Thị Bích Liên"}],
            attendance=attendance,
            agenda=[{"order": 1, "title": "Báo cáo"}],
        )
    # the people were written before attendance failed; the transaction takes them back
    assert not meeting.people.exists()
    assert not meeting.agenda.exists() and not meeting.attendance.exists()


class TestWhoMayWrite:
    """The services ask the policy themselves: a view, the admin, a command or a task that
    passes a person cannot write what that person may not."""

    def test_a_member_is_refused_and_nothing_changes(self, meeting, world):
        member = world.users["member"]
        writes = [
            lambda: services.meeting_update(meeting=meeting, minutes="sửa", actor=member),
            lambda: services.meeting_mark_held(meeting=meeting, actor=member),
            lambda: services.meeting_save_agenda(
                meeting=meeting, rows=[{"title": "x"}], actor=member
            ),
            lambda: services.meeting_elect_chair(
                meeting=meeting, chair=world.orgs[1], deputy=None, actor=member
            ),
        ]
        for write in writes:
            with pytest.raises(PermissionDenied):
                write()
        meeting.refresh_from_db()
        assert (meeting.minutes, meeting.status) == ("", Meeting.Status.PLANNED)
        assert not meeting.agenda.exists()

    def test_the_secretariat_of_the_meeting_s_year_may_and_the_system_may(self, world):
        year = current_year()
        fields = {
            "year": year,
            "kind": Meeting.Kind.OTHER,
            "title": "Giao ban",
            "starts_at": at(year, 3, 1),
            "place": "Hải Phòng",
        }
        made = services.meeting_create(bloc=world.bloc, actor=world.users["secretariat"], **fields)
        assert made.pk
        services.meeting_update(meeting=made, title="Giao ban quý I", actor=None)
        with pytest.raises(PermissionDenied):
            services.meeting_create(
                bloc=world.bloc, actor=world.users["secretariat"], **{**fields, "year": year - 1}
            )

    def test_a_former_assigned_secretary_keeps_only_its_years(self, meeting, world):
        secretary = UserFactory()
        SecretaryAssignmentFactory(
            bloc=world.bloc, user=secretary, first_year=meeting.year, last_year=meeting.year
        )
        services.meeting_update(meeting=meeting, minutes="Đã ghi", actor=secretary)
        later = services.meeting_create(
            bloc=world.bloc,
            year=meeting.year + 1,
            kind=Meeting.Kind.OTHER,
            title="Giao ban",
            starts_at=at(meeting.year + 1, 3, 1),
            place="Hải Phòng",
        )
        with pytest.raises(PermissionDenied):
            services.meeting_update(meeting=later, minutes="Không được", actor=secretary)


class TestApprovalGate:
    """Approved minutes printed "…" and "… giờ …" for what the record lacked: approval now
    needs the presiding person(s), the secretary and the end time."""

    @pytest.mark.parametrize(
        ("missing", "named"),
        [
            ("presiding", "the presiding person (chair of the meeting)"),
            ("secretary", "the secretary (minute-taker)"),
            ("end", "the end time"),
        ],
    )
    def test_each_missing_part_is_named_and_nothing_changes(self, meeting, missing, named):
        complete_record(meeting)
        if missing == "end":
            Meeting.objects.filter(pk=meeting.pk).update(ends_at=None)
        else:
            meeting.people.filter(role=missing).delete()
        services.meeting_mark_held(meeting=meeting)
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.meeting_approve(meeting=meeting)
        assert exc.value.code == "incomplete"
        assert exc.value.messages == [
            f"The minutes cannot be approved yet: the record lacks {named}. Complete it first."
        ]
        meeting.refresh_from_db()
        assert (meeting.status, meeting.approved_at) == (Meeting.Status.HELD, None)

    def test_all_missing_parts_at_once_in_vietnamese(self, meeting):
        Meeting.objects.filter(pk=meeting.pk).update(ends_at=None)
        services.meeting_mark_held(meeting=meeting)
        with translation.override("vi"), pytest.raises(ValidationError) as exc:
            services.meeting_approve(meeting=meeting)
        assert exc.value.messages == [
            "Chưa thể duyệt biên bản: hồ sơ hội nghị còn thiếu người chủ trì (chủ tọa), thư ký "
            "(người ghi biên bản), thời gian kết thúc. Hãy bổ sung trước khi duyệt."
        ]

    def test_two_presiding_persons_and_a_secretary_suffice(self, meeting):
        complete_record(meeting, presiding=2)
        services.meeting_mark_held(meeting=meeting)
        assert services.meeting_approve(meeting=meeting).is_locked


class TestDecisionsAsData:
    def test_the_sentence_is_written_in_the_readers_language(self, meeting, world):
        with translation.override("en"):
            services.meeting_elect_chair(meeting=meeting, chair=world.orgs[1], deputy=None)
        decision = meeting.decisions.get()
        assert (decision.year, decision.organization, decision.summary) == (
            meeting.year + 1,
            world.orgs[1],
            "",
        )
        with translation.override("vi"):
            assert decision.sentence() == (
                f"Bầu {world.orgs[1].name} làm trưởng khối năm {meeting.year + 1}."
            )
        with translation.override("en"):
            assert decision.sentence() == (
                f"Elected {world.orgs[1].name} as bloc chair for {meeting.year + 1}."
            )

    def test_a_free_text_decision_needs_its_text_and_gets_one_full_stop(self, meeting):
        with pytest.raises(ValidationError) as exc:
            services.meeting_record_decision(meeting=meeting, kind="other", text="  ")
        assert exc.value.message_dict == {"text": ["Hãy ghi nội dung quyết định."]}
        with pytest.raises(ValidationError) as exc:
            services.meeting_record_decision(meeting=meeting, kind="election", year=2030)
        assert list(exc.value.message_dict) == ["kind"]
        assert not meeting.decisions.exists()
        decision = services.meeting_record_decision(
            meeting=meeting, kind="other", text="Trao cờ luân lưu cho Công ty A.."
        )
        assert decision.sentence() == "Trao cờ luân lưu cho Công ty A."
        pledge = services.meeting_record_decision(meeting=meeting, kind="pledge")
        assert (pledge.year, pledge.summary) == (meeting.year, "")

    def test_the_migration_keeps_data_and_free_text(self, meeting, world):
        """Rows written before decisions were data: an election and a joining get their data
        from what they applied; a decision with neither stays free text."""
        from importlib import import_module

        from django.apps import apps

        migration = import_module("blocs.migrations.0005_meeting_decisions_as_data")
        term = services.meeting_elect_chair(
            meeting=meeting, chair=world.orgs[1], deputy=world.orgs[2]
        )
        old = MeetingDecision.objects.filter(meeting=meeting)
        old.update(year=None, organization=None, deputy=None, summary="Elected for …: chair …")
        lone = MeetingDecision.objects.create(
            meeting=meeting, kind="election", summary="Bầu lại Ban kiểm phiếu"
        )
        migration.decisions_to_data(apps, None)
        elected = MeetingDecision.objects.get(chair_term=term)
        assert (elected.kind, elected.year, elected.organization, elected.deputy) == (
            "election",
            meeting.year + 1,
            world.orgs[1],
            world.orgs[2],
        )
        assert elected.summary == ""
        lone.refresh_from_db()
        assert (lone.kind, lone.summary) == ("other", "Bầu lại Ban kiểm phiếu")

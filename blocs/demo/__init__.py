"""Demo data built from the five seed articles in shared/seeds/ (see `manage.py load_demo`).

Everything here is keyed on names, so loading twice changes nothing: a row is
created when missing, saved only when a field differs, and otherwise left alone
(no new audit-history rows either). Memberships and chair terms go through
blocs.services so the same rules apply as in the portal.

What comes from the articles and what is filled in:

- 000 Hải Phòng city bloc: the name, the six organizations' roles, chair 2020 (Hội LHPN
  thành phố) and chair 2021 (Thành đoàn Hải Phòng, chosen by the members at the year-end
  review of 29/12/2020) are from the article. The 2021 term is created by recording that
  election at the demo meeting (services.meeting_elect_chair), so it is method "election"
  with `elected_at` pointing at the meeting; its deputy (Hội Nông dân) is generated.
  The rotation order, the deputies and the terms from 2022 to the current year are
  generated: each later year is proposed by `rotation_proposal` (last year's deputy
  chairs, the next member deputises) and written as a rotation with the note
  ROTATION_NOTE, so the dashboard always has a current chair.
- 001 Nam Định: the bloc's name and the officials are from the article; it does not list
  the members, so the province's Front committee and its five usual unions stand in. No
  chair terms (the article names none).
- 002 Lê Chân district: the article is about the district Front committee and its member
  organizations signing the 2021 pledge; the bloc name and members are a plausible set.
  The Front committee, which convened the review and the signing, is recorded as the
  appointed chair for 2020 and 2021.
- 003 Hà Nội "Cụm thi đua số 5": the article names only Sơn Tây town (the host); Ba Vì,
  Phúc Thọ and Thạch Thất are a small plausible set of neighbouring districts. Sơn Tây's
  2020 chair term is inferred from its hosting the signing.
- 004 "Khối Mặt trận - Đoàn thể": the article does not name the province, so its
  organizations carry the generic names it uses ("Ủy ban MTTQ Việt Nam tỉnh"). The 2020
  term (Front committee chairs, Labour Federation deputises) is inferred from the
  co-chaired mid-year review of 01/07/2020.

Meetings (MEETINGS): one per article, with the article's date and part of the day
(Asia/Ho_Chi_Minh; "chiều" is recorded as 14:00, "sáng" as 08:00, no end time since none
is given), the place where the article names it (otherwise the locality), the presiding
persons and guests it names, agenda items, and minutes/conclusions paraphrased from it.
Attendance is recorded as "present" for every member (the articles report the member
units attending or signing, not absences). Each meeting is created through the services,
marked held and approved by the demo admin; it is keyed on (bloc, title) and left alone
once it exists. Lê Chân's "4 committee members relieved, 5 added" concerns individual
members of the district Front committee (Ủy viên), not member organizations of a bloc, so
it is recorded only in the minutes, not as membership-change decisions.

Officials named in the articles become users without a usable password. The three demo
accounts (DEMO_ACCOUNTS) get their passwords reset on every run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from .. import selectors, services
from ..models import (
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    Membership,
    Official,
    Organization,
    current_year,
)
from .data import *  # noqa: F403 -- the demo's names (HP_BLOC, DEMO_ACCOUNTS, …) are read from here
from .data import (
    ADMIN,
    BLOCS,
    COUNCIL,
    HP_BLOC,
    HP_UBND,
    MEMBER,
    MEMBER_PREFERENCE,
    ORGANIZATIONS,
    PEOPLE,
    ROTATION_NOTE,
    SECRETARY,
    DemoAccount,
    PersonSpec,
    TermSpec,
)
from .meetings import *  # noqa: F403 -- the meetings' names, read from here too
from .meetings import MEETINGS, MeetingSpec


@dataclass
class LoadResult:
    counts: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # user, pw, role, org

    def note(self, what: str, outcome: str) -> None:
        self.counts[f"{what} {outcome}"] += 1


def _upsert(model, lookup: dict, values: dict, result: LoadResult):
    """get-or-create on `lookup`, then save only if one of `values` differs."""
    obj = model.objects.filter(**lookup).first()
    label = model._meta.verbose_name_plural
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        result.note(label, "created")
        return obj
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(obj, k, v)
        obj.full_clean()
        obj.save()
        result.note(label, "updated")
    return obj


def _load_membership(bloc: Bloc, org: Organization, first_year: int, order: int, result):
    existing = Membership.objects.filter(bloc=bloc, organization=org).order_by("-first_year")
    membership = existing.first()
    if membership is None:
        services.membership_create(
            bloc=bloc, organization=org, first_year=first_year, rotation_order=order
        )
        result.note("memberships", "created")
    elif (membership.first_year, membership.last_year, membership.rotation_order) != (
        first_year,
        None,
        order,
    ):
        services.membership_update(
            membership=membership, first_year=first_year, last_year=None, rotation_order=order
        )
        result.note("memberships", "updated")


def _load_term(bloc: Bloc, spec: TermSpec, orgs: dict[str, Organization], result) -> None:
    chair = orgs[spec.chair]
    deputy = orgs[spec.deputy] if spec.deputy else None
    term = ChairTerm.objects.filter(bloc=bloc, year=spec.year).first()
    if term is None:
        services.chair_term_create(
            bloc=bloc,
            year=spec.year,
            chair=chair,
            deputy=deputy,
            method=spec.method,
            note=spec.note,
        )
        result.note("chair terms", "created")
    elif (term.chair_id, term.deputy_id, term.method, term.note) != (
        chair.pk,
        deputy.pk if deputy else None,
        spec.method,
        spec.note,
    ):
        services.chair_term_update(
            term=term, chair=chair, deputy=deputy, method=spec.method, note=spec.note
        )
        result.note("chair terms", "updated")


def _rotate_to(bloc: Bloc, last_year: int, result: LoadResult) -> None:
    """Fill the years after the last term up to `last_year` by rotation; keep existing ones."""
    latest = ChairTerm.objects.filter(bloc=bloc).order_by("-year").first()
    start = latest.year + 1 if latest else current_year()
    for year in range(start, last_year + 1):
        proposal = selectors.rotation_proposal(bloc=bloc, year=year)
        services.chair_term_create(
            bloc=bloc,
            year=year,
            chair=proposal.chair,
            deputy=proposal.deputy,
            method=ChairTerm.Method.ROTATION,
            note=ROTATION_NOTE,
        )
        result.note("chair terms", "created by rotation")


def _load_meeting(bloc: Bloc, spec: MeetingSpec, orgs, actor, result: LoadResult) -> Meeting:
    """Create the meeting through the services, hold and approve it; an existing one (keyed
    on bloc and title) is left as it is."""
    meeting = Meeting.objects.filter(bloc=bloc, title=spec.title).first()
    if meeting is not None:
        return meeting
    meeting = services.meeting_create(
        bloc=bloc,
        year=spec.year,
        kind=spec.kind,
        title=spec.title,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        place=spec.place,
        host=orgs[spec.host] if spec.host else None,
        actor=actor,
    )
    services.meeting_update(
        meeting=meeting, minutes=spec.minutes, conclusions=spec.conclusions, actor=actor
    )
    services.meeting_save_people(
        meeting=meeting,
        rows=[
            {
                "id": None,
                "role": person.role,
                "name": person.name,
                "position": person.position,
                "organization": person.organization,
                "order": order,
            }
            for order, person in enumerate(spec.people, start=1)
        ],
        actor=actor,
    )
    representatives = {org: (name, position) for org, name, position in spec.representatives}
    services.meeting_save_attendance(
        meeting=meeting,
        rows=[
            {
                "organization": org,
                "status": Attendance.Status.PRESENT,
                "representative": representatives.get(org.name, ("", ""))[0],
                "representative_position": representatives.get(org.name, ("", ""))[1],
            }
            for org in selectors.members_in(bloc, spec.year)
        ],
        actor=actor,
    )
    services.meeting_save_agenda(
        meeting=meeting,
        rows=[
            {
                "id": None,
                "order": order,
                "title": item.title,
                "presenter": item.presenter,
                "outcome": item.outcome,
            }
            for order, item in enumerate(spec.agenda, start=1)
        ],
        actor=actor,
    )
    if spec.elect is not None:
        chair, deputy = spec.elect
        # A database loaded before the meetings existed has this term already (without the
        # meeting): the election replaces it.
        existing = ChairTerm.objects.filter(bloc=bloc, year=spec.year + 1).exists()
        services.meeting_elect_chair(
            meeting=meeting,
            chair=orgs[chair],
            deputy=orgs[deputy] if deputy else None,
            replace=existing,
            actor=actor,
        )
        result.note("chair terms", "elected at a meeting")
    for kind, year in spec.decisions:
        services.meeting_record_decision(meeting=meeting, kind=kind, year=year, actor=actor)
    services.meeting_mark_held(meeting=meeting, actor=actor)
    meeting = services.meeting_approve(meeting=meeting, actor=actor)
    result.note("meetings", "created")
    return meeting


def _load_user(account: DemoAccount | PersonSpec, result: LoadResult, password: str | None):
    User = get_user_model()
    user = User.objects.filter(username=account.username).first()
    created = user is None
    if created:
        user = User(username=account.username)
    changed = created
    for attr in ("first_name", "last_name"):
        if getattr(user, attr) != getattr(account, attr):
            setattr(user, attr, getattr(account, attr))
            changed = True
    # Demo accounts are forced back to their role; the articles' officials are left as
    # an admin may have changed them.
    wanted = {}
    if isinstance(account, DemoAccount):
        flag = account.is_superuser
        wanted = {"is_active": True, "is_staff": flag, "is_superuser": flag}
    for attr, value in wanted.items():
        if getattr(user, attr) != value:
            setattr(user, attr, value)
            changed = True
    if password is None:
        if created:
            user.set_unusable_password()
    elif not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
        result.note("users", "created" if created else "updated")
    return user


def _load_official(user, org: Organization, position: str, result: LoadResult) -> Official:
    return _upsert(Official, {"user": user}, {"organization": org, "position": position}, result)


@transaction.atomic
def load(*, year: int | None = None) -> LoadResult:
    """Load (or bring up to date) the demo data; returns what changed and the logins."""
    year = year or current_year()
    result = LoadResult()

    orgs: dict[str, Organization] = {}
    for spec in ORGANIZATIONS:
        orgs[spec.name] = _upsert(
            Organization,
            {"name": spec.name},
            {
                "short_name": spec.short_name,
                "abbreviation": spec.abbreviation,
                "kind": spec.kind,
                "level": spec.level,
                "locality": spec.locality,
                "head_name": spec.head_name,
                "head_position": spec.head_position,
                "is_active": True,
            },
            result,
        )

    # The demo admin records the meetings.
    admin_user = _load_user(ADMIN, result, ADMIN.password)
    meetings_of: dict[str, list[MeetingSpec]] = {}
    for meeting_spec in MEETINGS:
        meetings_of.setdefault(meeting_spec.bloc, []).append(meeting_spec)

    blocs: dict[str, Bloc] = {}
    for spec in BLOCS:
        bloc = _upsert(
            Bloc,
            {"name": spec.name},
            {
                "kind": spec.kind,
                "level": spec.level,
                "number": spec.number,
                "locality": spec.locality,
                "organizing_body": orgs[spec.organizing_body] if spec.organizing_body else None,
            },
            result,
        )
        blocs[spec.name] = bloc
        for order, name in enumerate(spec.members, start=1):
            _load_membership(bloc, orgs[name], spec.first_year, order, result)
        for term in spec.terms:
            _load_term(bloc, term, orgs, result)
        # Before the rotation: an election at a meeting makes the following year's term.
        # Service messages (the election's note and summary) are stored in Vietnamese.
        with translation.override("vi"):
            for meeting_spec in meetings_of.get(spec.name, ()):
                _load_meeting(bloc, meeting_spec, orgs, admin_user, result)
        if spec.rotate_to_current_year:
            _rotate_to(bloc, year, result)

    for person in PEOPLE:
        user = _load_user(person, result, password=None)
        _load_official(user, orgs[person.organization], person.position, result)

    # Demo accounts (the admin was loaded above).
    result.logins.append((ADMIN.username, ADMIN.password, ADMIN.role, "—"))

    hp_bloc = blocs[HP_BLOC]
    # This year's term: made by the rotation above unless it already existed.
    this_year = ChairTerm.objects.filter(bloc=hp_bloc, year__lte=year).order_by("-year").first()

    secretary = _load_user(SECRETARY, result, SECRETARY.password)
    _load_official(secretary, this_year.chair, SECRETARY.position, result)
    if not hp_bloc.secretary_assignments.filter(user=secretary).active_in(this_year.year).exists():
        hp_bloc.secretary_assignments.create(
            user=secretary, first_year=this_year.year, last_year=this_year.year
        )
        result.note("bloc secretaries", "added")
    result.logins.append(
        (SECRETARY.username, SECRETARY.password, SECRETARY.role, this_year.chair.name)
    )

    busy = {this_year.chair_id, this_year.deputy_id}
    member_org = next(orgs[n] for n in MEMBER_PREFERENCE if orgs[n].pk not in busy)
    member = _load_user(MEMBER, result, MEMBER.password)
    _load_official(member, member_org, MEMBER.position, result)
    result.logins.append((MEMBER.username, MEMBER.password, MEMBER.role, member_org.name))

    # The city's council: an official of the body that organizes the Hải Phòng bloc.
    council_body = orgs[HP_UBND]
    council = _load_user(COUNCIL, result, COUNCIL.password)
    _load_official(council, council_body, COUNCIL.position, result)
    result.logins.append((COUNCIL.username, COUNCIL.password, COUNCIL.role, council_body.name))
    return result

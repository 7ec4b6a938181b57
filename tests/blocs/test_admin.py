"""The blocs admin: pages, search, query counts, rules on every write path,
the chair-rotation action and spreadsheet imports."""

import html
import io
import re
from pathlib import Path

import pytest
import tablib
from django.contrib import admin, messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from blocs import services
from blocs.models import (
    Bloc,
    ChairTerm,
    Membership,
    Organization,
    SecretaryAssignment,
    current_year,
)
from blocs.rules import is_secretariat
from portal.lib.people import person_name
from tests.blocs.records import complete_record
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    UserFactory,
)

FIXTURES = Path(__file__).parent / "fixtures"
NEXT = current_year() + 1


@pytest.fixture
def admin_user_client(client, world):
    client.force_login(world.users["admin"])
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _text(lazy, **params) -> str:
    """A service message as the page shows it (HTML-escaped)."""
    return escape(str(lazy) % params if params else str(lazy))


# ---------------------------------------------------------------------------
# Pages load
# ---------------------------------------------------------------------------


def _objects(world):
    term = ChairTerm.objects.get(bloc=world.bloc, year=current_year())
    return {
        "organization": world.orgs[0],
        "bloc": world.bloc,
        "membership": Membership.objects.filter(bloc=world.bloc).first(),
        "chairterm": term,
        "official": world.users["member"].official,
    }


@pytest.mark.parametrize("model", ["organization", "bloc", "membership", "chairterm", "official"])
def test_every_blocs_admin_page_loads(admin_user_client, world, model):
    obj = _objects(world)[model]
    for url in (
        reverse(f"admin:blocs_{model}_changelist"),
        reverse(f"admin:blocs_{model}_add"),
        reverse(f"admin:blocs_{model}_change", args=[obj.pk]),
        reverse(f"admin:blocs_{model}_history", args=[obj.pk]),
    ):
        response = admin_user_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("model", ["organization", "membership"])
def test_import_and_export_pages_load(admin_user_client, world, model):
    for view in ("import", "export"):
        response = admin_user_client.get(reverse(f"admin:blocs_{model}_{view}"))
        assert response.status_code == 200


def test_user_admin_has_the_official_inline(admin_user_client, world):
    member = world.users["member"]
    response = admin_user_client.get(reverse("admin:auth_user_change", args=[member.pk]))
    assert response.status_code == 200
    assert "official-0-organization" in response.content.decode()
    changelist = admin_user_client.get(reverse("admin:auth_user_changelist"))
    assert world.orgs[2].display_name in changelist.content.decode()


def test_site_header_is_the_portal_s(admin_user_client):
    response = admin_user_client.get(reverse("admin:index"))
    assert escape(gettext("Emulation bloc portal administration")) in response.content.decode()
    assert str(admin.site.site_header) == gettext("Emulation bloc portal administration")


def test_bloc_page_shows_the_whole_chair_history_latest_first(admin_user_client, world):
    for year in (current_year() - 2, current_year() - 1):
        ChairTermFactory(bloc=world.bloc, year=year, chair=world.orgs[2], deputy=world.orgs[3])
    response = admin_user_client.get(reverse("admin:blocs_bloc_change", args=[world.bloc.pk]))
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ChairTerm
    )
    years = [form.instance.year for form in formset.forms]
    assert years == [current_year(), current_year() - 1, current_year() - 2]


# ---------------------------------------------------------------------------
# Search without accents
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "query", "found", "not_found"),
    [
        ("organization", "thanh doan", "Thành đoàn Hải Phòng", "Hội Liên hiệp Phụ nữ thành phố"),
        ("organization", "lien hiep phu nu", "Hội Liên hiệp Phụ nữ thành phố", "Thành đoàn"),
        # upper-case accented letters: SQLite's LIKE folds ASCII only, search_name does it all
        ("organization", "THÀNH ĐOÀN", "Thành đoàn Hải Phòng", "Hội Liên hiệp Phụ nữ thành phố"),
        ("chairterm", "HỘI LIÊN HIỆP", "Hội Liên hiệp Phụ nữ thành phố", "Cụm thi đua"),
        ("bloc", "khoi thi dua mat tran", "Khối thi đua Mặt trận", "Cụm thi đua số 5"),
        ("membership", "son tay", "Sơn Tây", "Thành đoàn Hải Phòng"),
    ],
)
def test_search_ignores_accents(admin_user_client, model, query, found, not_found):
    response = admin_user_client.get(reverse(f"admin:blocs_{model}_changelist"), {"q": query})
    rows = " ".join(str(obj) for obj in response.context["cl"].result_list)
    assert found in rows
    assert not_found not in rows


# ---------------------------------------------------------------------------
# Query counts do not grow with the data
# ---------------------------------------------------------------------------

CHANGELISTS = [
    "admin:blocs_organization_changelist",
    "admin:blocs_bloc_changelist",
    "admin:blocs_membership_changelist",
    "admin:blocs_chairterm_changelist",
    "admin:blocs_official_changelist",
    "admin:auth_user_changelist",
]


def _add_rows(n: int) -> None:
    for _ in range(n):
        bloc = BlocFactory(organizing_body=OrganizationFactory())
        chair, deputy = OrganizationFactory(), OrganizationFactory()
        MembershipFactory(bloc=bloc, organization=chair, first_year=current_year() - 1)
        MembershipFactory(bloc=bloc, organization=deputy, first_year=current_year() - 1)
        ChairTermFactory(bloc=bloc, year=current_year(), chair=chair, deputy=deputy)
        OfficialFactory(organization=chair)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_changelist_queries_do_not_grow_with_rows(admin_user_client):
    _add_rows(3)
    small = {name: _count(admin_user_client, reverse(name)) for name in CHANGELISTS}
    _add_rows(27)
    large = {name: _count(admin_user_client, reverse(name)) for name in CHANGELISTS}
    assert large == small
    # and the lists did show the rows (the counts compare like with like)
    response = admin_user_client.get(reverse("admin:blocs_membership_changelist"))
    assert response.context["cl"].result_count > 60


# ---------------------------------------------------------------------------
# Chair rotation action
# ---------------------------------------------------------------------------


def _rotate(client, blocs, **extra):
    data = {"action": "rotate_chair", "_selected_action": [b.pk for b in blocs], **extra}
    return client.post(reverse("admin:blocs_bloc_changelist"), data)


def _confirm(client, choices: dict, blocs=None, year=NEXT):
    """choices: {bloc: (chair, deputy)}."""
    data = {"apply": "1", "year": str(year)}
    for bloc, (chair, deputy) in choices.items():
        data[f"bloc-{bloc.pk}-chair"] = chair.pk if chair else ""
        data[f"bloc-{bloc.pk}-deputy"] = deputy.pk if deputy else ""
    return _rotate(client, blocs or list(choices), **data)


def test_rotation_proposes_the_deputy_as_chair_and_the_next_member_as_deputy(
    admin_user_client, world
):
    response = _rotate(admin_user_client, [world.bloc])
    assert response.status_code == 200
    assert "admin/blocs/bloc/rotate_chair.html" in [t.name for t in response.templates]
    (row,) = response.context["rows"]
    assert row["form"].initial == {"chair": world.orgs[1].pk, "deputy": world.orgs[2].pk}
    html = response.content.decode()
    assert f'<option value="{world.orgs[1].pk}" selected>' in html
    assert f'<option value="{world.orgs[2].pk}" selected>' in html
    last = gettext("Chair and deputy in %(last_year)s") % {"last_year": current_year()}
    assert last in html
    assert f"{world.orgs[0]} / {world.orgs[1]}" in html  # this year's term, for reference
    # only this year's members are offered
    assert f'value="{world.outsider_org.pk}"' not in html
    assert not ChairTerm.objects.filter(year=NEXT).exists()


def test_confirming_creates_next_year_s_term_by_rotation_as_the_admin(admin_user_client, world):
    response = _confirm(admin_user_client, {world.bloc: (world.orgs[1], world.orgs[2])})
    assert response.status_code == 302
    term = ChairTerm.objects.get(bloc=world.bloc, year=NEXT)
    assert (term.chair, term.deputy, term.method) == (
        world.orgs[1],
        world.orgs[2],
        ChairTerm.Method.ROTATION,
    )
    assert term.history.latest().history_user == world.users["admin"]
    assert any(str(world.bloc) in m and str(world.orgs[1]) in m for m in _messages(response))


def test_the_admin_can_change_the_proposal(admin_user_client, world):
    _confirm(admin_user_client, {world.bloc: (world.orgs[3], world.orgs[0])})
    term = ChairTerm.objects.get(bloc=world.bloc, year=NEXT)
    assert (term.chair, term.deputy) == (world.orgs[3], world.orgs[0])


def test_rotation_refuses_when_next_year_s_term_exists(admin_user_client, world):
    ChairTermFactory(bloc=world.bloc, year=NEXT, chair=world.orgs[3], deputy=world.orgs[0])
    page = _rotate(admin_user_client, [world.bloc])
    (row,) = page.context["rows"]
    assert row["form"] is None
    assert _text(services.CHAIR_TERM_EXISTS, bloc=world.bloc, year=NEXT) in page.content.decode()
    assert f'name="bloc-{world.bloc.pk}-chair"' not in page.content.decode()
    assert 'name="apply"' not in page.content.decode()

    # a forged confirmation is refused too, and the recorded term is untouched
    response = _confirm(admin_user_client, {world.bloc: (world.orgs[1], world.orgs[2])})
    term = ChairTerm.objects.get(bloc=world.bloc, year=NEXT)
    assert (term.chair, term.deputy) == (world.orgs[3], world.orgs[0])
    expected = str(services.CHAIR_TERM_EXISTS % {"bloc": world.bloc, "year": NEXT})
    assert any(str(world.bloc) in m and expected in m for m in _messages(response))


@pytest.mark.parametrize("field", ["chair", "deputy"])
def test_rotation_refuses_a_non_member(admin_user_client, world, field):
    chosen = {"chair": world.orgs[1], "deputy": world.orgs[2], field: world.outsider_org}
    response = _confirm(admin_user_client, {world.bloc: (chosen["chair"], chosen["deputy"])})
    assert not ChairTerm.objects.filter(year=NEXT).exists()
    expected = str(
        services.NOT_A_MEMBER
        % {"organization": world.outsider_org, "bloc": world.bloc, "year": NEXT}
    )
    assert any(m.startswith(f"{world.bloc}: ") and expected in m for m in _messages(response))


def test_rotation_refuses_the_same_organization_twice(admin_user_client, world):
    response = _confirm(admin_user_client, {world.bloc: (world.orgs[1], world.orgs[1])})
    assert not ChairTerm.objects.filter(year=NEXT).exists()
    assert f"{world.bloc}: {services.CHAIR_IS_DEPUTY}" in _messages(response)


def test_rotation_refuses_a_member_who_has_left_by_next_year(admin_user_client, world):
    leaving = Membership.objects.get(bloc=world.bloc, organization=world.orgs[1])
    services.membership_end(membership=leaving, last_year=current_year())
    page = _rotate(admin_user_client, [world.bloc])
    (row,) = page.context["rows"]
    # the deputy has left by then: the member after this year's chair is proposed
    assert row["form"].initial["chair"] == world.orgs[2].pk
    _confirm(admin_user_client, {world.bloc: (world.orgs[1], world.orgs[2])})
    assert not ChairTerm.objects.filter(year=NEXT).exists()


def test_rotation_refuses_a_bloc_without_members_next_year(admin_user_client, world):
    empty = BlocFactory(name="Khối thi đua không thành viên")
    page = _rotate(admin_user_client, [empty])
    (row,) = page.context["rows"]
    assert row["form"] is None
    assert _text(services.NO_MEMBERS, bloc=empty, year=NEXT) in page.content.decode()


def test_several_blocs_at_once_one_refused_one_rotated(admin_user_client, world):
    ChairTermFactory(bloc=world.other_bloc, year=current_year(), chair=world.outsider_org)
    second = OrganizationFactory(name="Ủy ban MTTQ huyện Ba Vì")
    MembershipFactory(bloc=world.other_bloc, organization=second, first_year=current_year() - 1)

    page = _rotate(admin_user_client, [world.bloc, world.other_bloc])
    rows = {row["bloc"]: row for row in page.context["rows"]}
    assert rows[world.other_bloc]["form"].initial == {
        "chair": second.pk,
        "deputy": world.outsider_org.pk,
    }

    response = _confirm(
        admin_user_client,
        {
            world.bloc: (world.orgs[1], world.orgs[1]),
            world.other_bloc: (second, world.outsider_org),
        },
    )
    assert not ChairTerm.objects.filter(bloc=world.bloc, year=NEXT).exists()
    term = ChairTerm.objects.get(bloc=world.other_bloc, year=NEXT)
    assert (term.chair, term.deputy) == (second, world.outsider_org)
    shown = _messages(response)
    assert f"{world.bloc}: {services.CHAIR_IS_DEPUTY}" in shown
    assert any(m.startswith(f"{world.other_bloc}: ") and str(second) in m for m in shown)


def test_the_page_shows_refused_and_rotatable_blocs_together(admin_user_client, world):
    ChairTermFactory(bloc=world.bloc, year=NEXT, chair=world.orgs[3], deputy=world.orgs[0])
    page = _rotate(admin_user_client, [world.bloc, world.other_bloc])
    html = page.content.decode()
    assert f'name="bloc-{world.other_bloc.pk}-chair"' in html
    assert f'name="bloc-{world.bloc.pk}-chair"' not in html
    assert 'name="apply"' in html


def test_a_confirmation_for_a_stale_year_creates_nothing(admin_user_client, world):
    response = _confirm(
        admin_user_client, {world.bloc: (world.orgs[1], world.orgs[2])}, year=NEXT - 1
    )
    assert response.status_code == 200  # the page again, with fresh proposals
    assert not ChairTerm.objects.filter(bloc=world.bloc).exclude(year=current_year()).exists()


# ---------------------------------------------------------------------------
# Membership and chair-term forms go through the rules
# ---------------------------------------------------------------------------


def test_membership_add_form_refuses_an_overlap(admin_user_client, world):
    before = Membership.objects.count()
    response = admin_user_client.post(
        reverse("admin:blocs_membership_add"),
        {
            "bloc": world.bloc.pk,
            "organization": world.orgs[0].pk,
            "first_year": current_year() - 10,
            "last_year": current_year() - 2,
        },
    )
    assert response.status_code == 200
    assert Membership.objects.count() == before
    clash = Membership.objects.get(bloc=world.bloc, organization=world.orgs[0])
    expected = _text(
        services.MEMBERSHIP_OVERLAPS,
        organization=world.orgs[0],
        bloc=world.bloc,
        period=clash.period,
    )
    assert expected in response.content.decode()


def test_a_refusal_at_save_time_rolls_back_and_is_shown(admin_user_client, world, monkeypatch):
    """The form's check passed, then the service refuses (a concurrent change)."""
    monkeypatch.setattr("blocs.services.check_membership_period", lambda **kw: None)
    url = reverse("admin:blocs_membership_add")
    before = Membership.objects.count()
    response = admin_user_client.post(
        url,
        {
            "bloc": world.bloc.pk,
            "organization": world.orgs[0].pk,
            "first_year": current_year() - 1,
            "last_year": current_year() - 1,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert Membership.objects.count() == before
    errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
    assert len(errors) == 1
    assert str(world.orgs[0]) in str(errors[0])


def test_membership_add_form_saves_through_the_service(admin_user_client, world):
    response = admin_user_client.post(
        reverse("admin:blocs_membership_add"),
        {
            "bloc": world.bloc.pk,
            "organization": world.outsider_org.pk,
            "first_year": current_year(),
            "rotation_order": 5,
        },
    )
    assert response.status_code == 302
    m = Membership.objects.get(bloc=world.bloc, organization=world.outsider_org)
    assert m.history.latest().history_user == world.users["admin"]


def test_membership_change_form_refuses_an_overlap(admin_user_client, world):
    old = MembershipFactory(
        bloc=world.bloc,
        organization=world.outsider_org,
        first_year=current_year() - 10,
        last_year=current_year() - 5,
    )
    current = MembershipFactory(
        bloc=world.bloc, organization=world.outsider_org, first_year=current_year() - 4
    )
    response = admin_user_client.post(
        reverse("admin:blocs_membership_change", args=[current.pk]),
        {
            "bloc": world.bloc.pk,
            "organization": world.outsider_org.pk,
            "first_year": current_year() - 6,
        },
    )
    assert response.status_code == 200
    current.refresh_from_db()
    assert current.first_year == current_year() - 4
    assert (
        _text(
            services.MEMBERSHIP_OVERLAPS,
            organization=world.outsider_org,
            bloc=world.bloc,
            period=old.period,
        )
        in response.content.decode()
    )


def _term_data(world, **overrides):
    data = {
        "bloc": world.bloc.pk,
        "year": NEXT,
        "chair": world.orgs[1].pk,
        "deputy": world.orgs[2].pk,
        "method": ChairTerm.Method.ELECTION,
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # the database constraints' own messages come first (and only once)
        ({"deputy": "CHAIR"}, lambda w: ChairTerm._meta.constraints[1].violation_error_message),
        (
            {"chair": "OUTSIDER"},
            lambda w: (
                services.NOT_A_MEMBER
                % {"organization": w.outsider_org, "bloc": w.bloc, "year": NEXT}
            ),
        ),
        (
            {"year": current_year()},
            lambda w: ChairTerm._meta.constraints[0].violation_error_message,
        ),
    ],
)
def test_chair_term_add_form_refuses_broken_terms(admin_user_client, world, overrides, message):
    values = {"CHAIR": world.orgs[1].pk, "OUTSIDER": world.outsider_org.pk}
    overrides = {k: values.get(v, v) for k, v in overrides.items()}
    before = ChairTerm.objects.count()
    response = admin_user_client.post(
        reverse("admin:blocs_chairterm_add"), _term_data(world, **overrides)
    )
    assert response.status_code == 200
    assert ChairTerm.objects.count() == before
    assert escape(str(message(world))) in response.content.decode()


def test_chair_term_add_form_saves_through_the_service(admin_user_client, world):
    response = admin_user_client.post(reverse("admin:blocs_chairterm_add"), _term_data(world))
    assert response.status_code == 302
    term = ChairTerm.objects.get(bloc=world.bloc, year=NEXT)
    assert term.method == ChairTerm.Method.ELECTION
    assert term.history.latest().history_user == world.users["admin"]


def test_chair_term_change_form_cannot_move_the_year(admin_user_client, world):
    term = ChairTerm.objects.get(bloc=world.bloc, year=current_year())
    response = admin_user_client.post(
        reverse("admin:blocs_chairterm_change", args=[term.pk]),
        _term_data(world, year=NEXT + 5, chair=world.orgs[2].pk, deputy=world.orgs[3].pk),
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.year, term.chair, term.deputy) == (current_year(), world.orgs[2], world.orgs[3])


# ---------------------------------------------------------------------------
# The Bloc page's inlines cannot bypass the rules
# ---------------------------------------------------------------------------


def _value(bound_field):
    value = bound_field.value()
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _page_data(response) -> dict:
    """The POST data a browser would send back for an unchanged admin change page."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = _value(bound)
            if value is not None:
                data[bound.html_name] = value
    return data


def _bloc_page(client, bloc):
    response = client.get(reverse("admin:blocs_bloc_change", args=[bloc.pk]))
    return _page_data(response)


def _add_inline_row(data: dict, prefix: str, **values) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)


def _inline_row(data: dict, prefix: str, field: str, value) -> int:
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    return next(i for i in range(total) if data.get(f"{prefix}-{i}-{field}") == str(value))


def test_unchanged_bloc_page_saves(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 302


def test_bloc_page_refuses_an_overlapping_membership_row(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    _add_inline_row(
        data,
        "memberships",
        organization=world.orgs[0].pk,
        first_year=current_year() - 10,
        last_year=current_year() - 1,
    )
    before = Membership.objects.count()
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 200
    assert Membership.objects.count() == before
    assert escape(str(world.orgs[0])) in response.content.decode()
    assert (
        _text(
            services.MEMBERSHIP_OVERLAPS,
            organization=world.orgs[0],
            bloc=world.bloc,
            period=f"{current_year() - 3}–",
        )
        in response.content.decode()
    )


def test_bloc_page_refuses_two_overlapping_new_rows(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    for first in (current_year() - 1, current_year()):
        _add_inline_row(data, "memberships", organization=world.outsider_org.pk, first_year=first)
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(bloc=world.bloc, organization=world.outsider_org).exists()


def test_bloc_page_can_close_a_membership_and_reopen_it_in_one_save(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    membership = Membership.objects.get(bloc=world.bloc, organization=world.orgs[3])
    i = _inline_row(data, "memberships", "id", membership.pk)
    data[f"memberships-{i}-last_year"] = str(current_year() - 1)
    _add_inline_row(
        data, "memberships", organization=world.orgs[3].pk, first_year=current_year() + 1
    )
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 302
    periods = sorted(
        Membership.objects.filter(bloc=world.bloc, organization=world.orgs[3]).values_list(
            "first_year", "last_year"
        )
    )
    assert periods == [(current_year() - 3, current_year() - 1), (current_year() + 1, None)]


def test_bloc_page_refuses_a_chair_term_with_a_non_member(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    _add_inline_row(
        data,
        "chair_terms",
        year=NEXT,
        chair=world.outsider_org.pk,
        deputy=world.orgs[0].pk,
        method=ChairTerm.Method.ELECTION,
        note="",
    )
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 200
    assert not ChairTerm.objects.filter(bloc=world.bloc, year=NEXT).exists()
    assert (
        _text(services.NOT_A_MEMBER, organization=world.outsider_org, bloc=world.bloc, year=NEXT)
        in response.content.decode()
    )


def test_bloc_page_refuses_a_chair_term_whose_chair_is_the_deputy(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    _add_inline_row(
        data,
        "chair_terms",
        year=NEXT,
        chair=world.orgs[1].pk,
        deputy=world.orgs[1].pk,
        method=ChairTerm.Method.ELECTION,
        note="",
    )
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 200
    assert not ChairTerm.objects.filter(bloc=world.bloc, year=NEXT).exists()


def test_bloc_page_accepts_a_chair_from_a_member_added_on_the_same_page(admin_user_client, world):
    data = _bloc_page(admin_user_client, world.bloc)
    _add_inline_row(data, "memberships", organization=world.outsider_org.pk, first_year=NEXT)
    _add_inline_row(
        data,
        "chair_terms",
        year=NEXT,
        chair=world.outsider_org.pk,
        deputy=world.orgs[0].pk,
        method=ChairTerm.Method.ELECTION,
        note="",
    )
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 302
    term = ChairTerm.objects.get(bloc=world.bloc, year=NEXT)
    assert term.chair == world.outsider_org
    assert term.history.latest().history_user == world.users["admin"]


# ---------------------------------------------------------------------------
# Imports with a preview
# ---------------------------------------------------------------------------


def _format_index(model, title: str) -> str:
    formats = admin.site._registry[model].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == title))


def _preview(client, model, name: str, content: bytes, title: str = "csv"):
    return client.post(
        reverse(f"admin:blocs_{model._meta.model_name}_import"),
        {
            "resource": "0",
            "format": _format_index(model, title),
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def _process(client, model, preview):
    confirm = preview.context["confirm_form"]
    return client.post(
        reverse(f"admin:blocs_{model._meta.model_name}_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )


def test_import_organizations_preview_then_confirm(admin_user_client, world):
    preview = _preview(
        admin_user_client,
        Organization,
        "organizations.csv",
        (FIXTURES / "organizations.csv").read_bytes(),
    )
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert preview.context["confirm_form"] is not None
    assert not Organization.objects.filter(name="Hội Nông dân thành phố").exists()

    response = _process(admin_user_client, Organization, preview)
    assert response.status_code == 302
    farmers = Organization.objects.get(name="Hội Nông dân thành phố")
    veterans = Organization.objects.get(name="Hội Cựu chiến binh thành phố")
    assert (farmers.kind, farmers.abbreviation) == (Organization.Kind.FARMERS, "HND")
    assert veterans.kind == Organization.Kind.VETERANS  # given by its English label
    assert farmers.search_name.startswith("hoi nong dan thanh pho")


def test_import_organizations_updates_by_name(admin_user_client, world):
    dataset = tablib.Dataset(headers=["name", "short_name", "kind"])
    dataset.append([world.orgs[1].name, "TĐ HP", "youth"])
    preview = _preview(
        admin_user_client, Organization, "orgs.xlsx", dataset.export("xlsx"), title="xlsx"
    )
    _process(admin_user_client, Organization, preview)
    world.orgs[1].refresh_from_db()
    assert (world.orgs[1].short_name, world.orgs[1].kind) == ("TĐ HP", Organization.Kind.YOUTH)
    assert Organization.objects.filter(name=world.orgs[1].name).count() == 1


def test_import_of_an_overlapping_membership_is_refused_in_the_preview(admin_user_client, world):
    before = Membership.objects.count()
    preview = _preview(
        admin_user_client,
        Membership,
        "memberships.csv",
        (FIXTURES / "memberships_overlap.csv").read_bytes(),
    )
    assert preview.status_code == 200
    assert preview.context["result"].has_validation_errors()
    assert preview.context.get("confirm_form") is None
    clash = Membership.objects.get(bloc=world.bloc, organization=world.orgs[0])
    assert (
        _text(
            services.MEMBERSHIP_OVERLAPS,
            organization=world.orgs[0],
            bloc=world.bloc,
            period=clash.period,
        )
        in preview.content.decode()
    )
    assert Membership.objects.count() == before


def _memberships_csv(*rows) -> bytes:
    lines = ["bloc,organization,first_year,last_year,rotation_order"]
    lines += [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_import_memberships_preview_then_confirm(admin_user_client, world):
    content = _memberships_csv((world.bloc.name, world.outsider_org.name, current_year(), None, 5))
    preview = _preview(admin_user_client, Membership, "m.csv", content)
    assert preview.context["confirm_form"] is not None
    assert not Membership.objects.filter(organization=world.outsider_org, bloc=world.bloc).exists()
    response = _process(admin_user_client, Membership, preview)
    assert response.status_code == 302
    m = Membership.objects.get(organization=world.outsider_org, bloc=world.bloc)
    assert (m.first_year, m.rotation_order) == (current_year(), 5)
    assert m.history.latest().history_user == world.users["admin"]


def test_import_refuses_rows_that_overlap_each_other(admin_user_client, world):
    content = _memberships_csv(
        (world.bloc.name, world.outsider_org.name, current_year() - 1, None, 5),
        (world.bloc.name, world.outsider_org.name, current_year(), None, 6),
    )
    preview = _preview(admin_user_client, Membership, "m.csv", content)
    assert preview.context["result"].has_validation_errors()
    assert preview.context.get("confirm_form") is None
    assert not Membership.objects.filter(organization=world.outsider_org, bloc=world.bloc).exists()


def test_import_confirm_after_a_concurrent_change_imports_nothing(admin_user_client, world):
    newcomer = OrganizationFactory(name="Hội Nông dân thành phố")
    content = _memberships_csv(
        (world.bloc.name, world.outsider_org.name, current_year(), None, 5),
        (world.bloc.name, newcomer.name, current_year(), None, 6),
    )
    preview = _preview(admin_user_client, Membership, "m.csv", content)
    assert preview.context["confirm_form"] is not None
    # someone adds the newcomer between the preview and the confirmation
    services.membership_create(
        bloc=world.bloc, organization=newcomer, first_year=current_year() - 1
    )
    response = _process(admin_user_client, Membership, preview)
    assert response.status_code == 302
    assert not Membership.objects.filter(organization=world.outsider_org, bloc=world.bloc).exists()
    assert Membership.objects.filter(organization=newcomer).count() == 1
    errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
    assert len(errors) == 1


def test_rotation_action_needs_the_add_chair_term_permission(client, world):
    from django.contrib.auth.models import Permission

    staff = world.users["member"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_bloc", "change_bloc"])
    )
    client.force_login(staff)
    response = client.get(reverse("admin:blocs_bloc_changelist"))
    assert response.status_code == 200
    assert "rotate_chair" not in response.content.decode()
    _rotate(client, [world.bloc])
    _confirm(client, {world.bloc: (world.orgs[1], world.orgs[2])})
    assert not ChairTerm.objects.filter(year=NEXT).exists()
    assert Bloc.objects.count() == 2


# ---------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------


def _meeting(bloc, year: int, *, title: str = "", day: int = 29, actor=None):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from blocs.models import Meeting

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    return services.meeting_create(
        bloc=bloc,
        year=year,
        kind=Meeting.Kind.YEAR_END,
        title=title or f"Hội nghị tổng kết công tác thi đua năm {year}",
        starts_at=dt.datetime(year, 12, day, 14, tzinfo=vn),
        ends_at=dt.datetime(year, 12, day, 17, tzinfo=vn),
        place="Hội trường Ủy ban MTTQ thành phố",
        host=None,
        actor=actor,
    )


def _approved_meeting(world):
    """A meeting of two years back with people, attendance, agenda, an election; approved."""
    from blocs.models import Attendance, MeetingPerson

    year = current_year() - 2
    meeting = _meeting(world.bloc, year)
    services.meeting_save_people(
        meeting=meeting,
        rows=[
            {
                "role": MeetingPerson.Role.PRESIDING,
                "name": "Vũ Thị Bích Liên",
                "position": "Chủ tịch Hội LHPN thành phố",
                "organization": "",
                "order": 1,
            }
        ],
    )
    services.meeting_save_attendance(
        meeting=meeting,
        rows=[
            {
                "organization": org,
                "status": Attendance.Status.PRESENT,
                "representative": "",
                "representative_position": "",
            }
            for org in world.orgs
        ],
    )
    services.meeting_save_agenda(
        meeting=meeting,
        rows=[{"order": 1, "title": "Báo cáo tổng kết", "presenter": "", "outcome": ""}],
    )
    services.meeting_elect_chair(meeting=meeting, chair=world.orgs[1], deputy=world.orgs[2])
    complete_record(meeting)
    services.meeting_mark_held(meeting=meeting)
    return services.meeting_approve(meeting=meeting, actor=world.users["admin"])


def test_meeting_admin_pages_load(admin_user_client, world):
    meeting = _approved_meeting(world)
    planned = _meeting(world.bloc, current_year() - 1)
    for url in (
        reverse("admin:blocs_meeting_changelist"),
        reverse("admin:blocs_meeting_changelist") + "?q=hoi truong",
        reverse("admin:blocs_meeting_add"),
        reverse("admin:blocs_meeting_change", args=[meeting.pk]),
        reverse("admin:blocs_meeting_change", args=[planned.pk]),
        reverse("admin:blocs_meeting_history", args=[meeting.pk]),
    ):
        response = admin_user_client.get(url)
        assert response.status_code == 200, url
    response = admin_user_client.get(reverse("admin:blocs_meeting_change", args=[meeting.pk]))
    page = response.content.decode()
    assert "Vũ Thị Bích Liên" in page
    assert "Báo cáo tổng kết" in page
    assert meeting.decisions.get().sentence() in page


def _add_meetings(n: int) -> None:
    for _ in range(n):
        bloc = BlocFactory()
        MembershipFactory(bloc=bloc, first_year=current_year() - 3)
        _meeting(bloc, current_year() - 2)


def test_meeting_changelist_queries_do_not_grow_with_rows(admin_user_client):
    url = reverse("admin:blocs_meeting_changelist")
    _add_meetings(3)
    small = _count(admin_user_client, url)
    _add_meetings(27)
    large = _count(admin_user_client, url)
    assert large == small
    response = admin_user_client.get(url)
    assert response.context["cl"].result_count == 30


def _meeting_page(client, meeting) -> dict:
    """_page_data with the split date-time widgets' two inputs each."""
    from django.utils import timezone

    data = _page_data(client.get(reverse("admin:blocs_meeting_change", args=[meeting.pk])))
    for name in ("starts_at", "ends_at"):
        data.pop(name, None)
        value = getattr(meeting, name)
        if value is not None:
            local = timezone.localtime(value)
            data[f"{name}_0"] = local.strftime("%Y-%m-%d")
            data[f"{name}_1"] = local.strftime("%H:%M:%S")
    return data


def test_an_approved_meeting_is_read_only_in_the_admin(admin_user_client, world):
    from blocs.models import Meeting

    meeting = _approved_meeting(world)
    url = reverse("admin:blocs_meeting_change", args=[meeting.pk])
    before = admin_user_client.get(url)
    # Read-only page: no save button, no form inputs for the meeting's fields.
    assert before.context["has_change_permission"] is False
    assert 'name="title"' not in before.content.decode()
    assert 'name="_save"' not in before.content.decode()

    counts = {m: m.objects.count() for m in _meeting_models()}
    response = admin_user_client.post(
        url,
        {
            "bloc": meeting.bloc_id,
            "year": meeting.year,
            "kind": meeting.kind,
            "title": "Đã sửa",
            "starts_at_0": "2020-12-29",
            "starts_at_1": "14:00:00",
            "place": "Nơi khác",
            "minutes": "Sửa biên bản",
            "_save": "Lưu",
        },
    )
    assert response.status_code == 403
    after = Meeting.objects.get(pk=meeting.pk)
    assert (after.title, after.place, after.minutes) == (meeting.title, meeting.place, "")
    assert after.status == Meeting.Status.APPROVED
    assert {m: m.objects.count() for m in _meeting_models()} == counts
    # Nor can it be deleted.
    delete = admin_user_client.post(
        reverse("admin:blocs_meeting_delete", args=[meeting.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def _meeting_models():
    from blocs.models import AgendaItem, Attendance, Meeting, MeetingDecision, MeetingPerson

    return [Meeting, MeetingPerson, Attendance, AgendaItem, MeetingDecision]


def test_a_planned_meeting_saves_through_the_services(admin_user_client, world):
    from blocs.models import Meeting

    meeting = _meeting(world.bloc, current_year() - 1)
    url = reverse("admin:blocs_meeting_change", args=[meeting.pk])
    data = _meeting_page(admin_user_client, meeting)
    data["minutes"] = "Hội nghị nghe báo cáo tổng kết."
    _add_inline_row(
        data,
        "people",
        role="presiding",
        name="Vũ Thị Bích Liên",
        position="Chủ tịch Hội LHPN thành phố",
        order=1,
    )
    response = admin_user_client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    meeting.refresh_from_db()
    assert meeting.minutes == "Hội nghị nghe báo cáo tổng kết."
    assert meeting.people.get().name == "Vũ Thị Bích Liên"
    # The actor is in the audit history.
    assert meeting.history.first().history_user == world.users["admin"]
    assert Meeting.objects.count() == 1


def test_attendance_of_a_non_member_is_refused(admin_user_client, world):
    meeting = _meeting(world.bloc, current_year() - 1)
    url = reverse("admin:blocs_meeting_change", args=[meeting.pk])
    data = _meeting_page(admin_user_client, meeting)
    _add_inline_row(data, "attendance", organization=world.outsider_org.pk, status="present")
    response = admin_user_client.post(url, data)
    assert response.status_code == 200
    assert not meeting.attendance.exists()
    assert world.outsider_org.name in response.content.decode()


def test_a_meeting_outside_its_year_is_refused_on_the_form(admin_user_client, world):
    from blocs.models import Meeting

    response = admin_user_client.post(
        reverse("admin:blocs_meeting_add"),
        {
            "bloc": world.bloc.pk,
            "year": 2020,
            "kind": Meeting.Kind.MID_YEAR,
            "title": "Sơ kết",
            "starts_at_0": "2021-07-01",
            "starts_at_1": "14:00:00",
            "place": "Hải Phòng",
            **{
                f"{prefix}-{key}": "0"
                for prefix in ("people", "attendance", "agenda", "attachments", "decisions")
                for key in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    assert not Meeting.objects.exists()


# Assigned secretaries, by years ------------------------------------------------------------


def test_bloc_page_assigns_a_secretary_for_years_through_the_service(admin_user_client, world):
    person = UserFactory(first_name="Hoa", last_name="Trần Thị")
    year = current_year()
    data = _bloc_page(admin_user_client, world.bloc)
    _add_inline_row(
        data, "secretary_assignments", user=person.pk, first_year=year, last_year=year + 1
    )
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 302
    assignment = SecretaryAssignment.objects.get(bloc=world.bloc, user=person)
    assert (assignment.first_year, assignment.last_year) == (year, year + 1)
    assert assignment.history.first().history_user == world.users["admin"]
    assert is_secretariat(person, world.bloc, year + 1)
    assert not is_secretariat(person, world.bloc, year + 2)
    # The page shows the years back for editing.
    page = admin_user_client.get(reverse("admin:blocs_bloc_change", args=[world.bloc.pk]))
    assert f'value="{year + 1}"' in page.content.decode()


def test_bloc_page_refuses_overlapping_assignments_of_one_person(admin_user_client, world):
    person = UserFactory()
    year = current_year()
    SecretaryAssignment.objects.create(bloc=world.bloc, user=person, first_year=year - 2)
    data = _bloc_page(admin_user_client, world.bloc)
    _add_inline_row(data, "secretary_assignments", user=person.pk, first_year=year, last_year="")
    response = admin_user_client.post(
        reverse("admin:blocs_bloc_change", args=[world.bloc.pk]), data
    )
    assert response.status_code == 200
    assert SecretaryAssignment.objects.filter(bloc=world.bloc, user=person).count() == 1
    refusal = services.ASSIGNMENT_OVERLAPS % {
        "person": person_name(person),  # family name first
        "bloc": world.bloc,
        "period": f"{year - 2}–",
    }
    assert escape(refusal) in response.content.decode()
    assert "các giai đoạn phân công không được trùng nhau" in response.content.decode()


# ---------------------------------------------------------------------------
# Import limits and formula-safe exports (issue 14)
# ---------------------------------------------------------------------------


def test_an_import_file_over_the_size_limit_is_refused_unread(admin_user_client, world, settings):
    settings.PORTAL_IMPORT_MAX_BYTES = 1000
    before = Organization.objects.count()
    response = admin_user_client.post(
        reverse("admin:blocs_organization_import"),
        {
            "resource": "0",
            "format": _format_index(Organization, "csv"),
            "import_file": SimpleUploadedFile("big.csv", b"name\n" + b"x" * 2000),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:blocs_organization_import")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Tệp có dung lượng 2,0")
    assert message.endswith("1000\xa0byte.")
    assert Organization.objects.count() == before


@pytest.mark.parametrize("title", ["csv", "xlsx"])
def test_an_import_file_over_the_row_limit_is_refused(admin_user_client, world, settings, title):
    settings.PORTAL_IMPORT_MAX_ROWS = 5
    dataset = tablib.Dataset(headers=["name", "short_name", "kind"])
    for i in range(6):
        dataset.append([f"Hội mới {i}", f"HM{i}", "other"])
    content = dataset.export(title)
    content = content.encode() if isinstance(content, str) else content
    before = Organization.objects.count()
    response = _preview(admin_user_client, Organization, f"orgs.{title}", content, title=title)
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert errors == ["Tệp có hơn 5 dòng dữ liệu; hãy chia thành các tệp nhỏ hơn để nhập."]
    assert Organization.objects.count() == before
    # At the limit it is accepted (the preview shows a result).
    dataset.pop()
    content = dataset.export(title)
    content = content.encode() if isinstance(content, str) else content
    response = _preview(admin_user_client, Organization, f"orgs.{title}", content, title=title)
    assert response.context["result"] is not None


def test_counting_rows_stops_at_the_limit():
    from openpyxl import Workbook

    from portal.lib.admin import count_rows_upto

    book = Workbook()
    for i in range(1000):
        book.active.append([i])
    buffer = io.BytesIO()
    book.save(buffer)
    assert count_rows_upto(buffer.getvalue(), 10) == 11  # limit + 1, not all 999
    assert count_rows_upto(buffer.getvalue(), 5000) == 999
    assert count_rows_upto("name\na\nb\n", 10) == 2


def test_the_admin_export_writes_formula_like_texts_as_text(world):
    from openpyxl import load_workbook

    org = world.orgs[0]
    org.name = '=HYPERLINK("http://x","y")'
    org.save()
    model_admin = admin.site._registry[Organization]
    resource = model_admin.get_export_resource_classes(None)[0]()
    dataset = resource.export(Organization.objects.filter(pk=org.pk))
    formats = {f().get_extension(): f for f in model_admin.get_export_formats()}
    sheet = load_workbook(io.BytesIO(formats["xlsx"]().export_data(dataset))).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == org.name]
    assert cells and all(c.data_type == "s" for c in cells)
    text = formats["csv"]().export_data(resource.export(Organization.objects.filter(pk=org.pk)))
    assert "'=HYPERLINK" in text


FORMULA = '=HYPERLINK("http://x","y")'


def _exported_values(extension: str, data) -> list:
    """Every value of an export, read back as its reader would."""
    import csv
    import json

    import yaml
    from openpyxl import load_workbook

    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        return [(c.value, c.data_type) for row in sheet.iter_rows() for c in row]
    text = data.decode() if isinstance(data, bytes) else data
    if extension in ("csv", "tsv"):
        rows = csv.reader(io.StringIO(text), delimiter="," if extension == "csv" else "\t")
        return [value for row in rows for value in row]
    if extension == "json":
        return [v for row in json.loads(text) for v in row.values()]
    if extension == "yaml":
        return [v for row in yaml.safe_load(text) for v in row.values()]
    return re.findall(r"<td>(.*?)</td>", text)


def test_every_offered_export_format_writes_formula_like_texts_as_text(world):
    org = world.orgs[0]
    org.name = FORMULA
    org.save()
    model_admin = admin.site._registry[Organization]
    resource = model_admin.get_export_resource_classes(None)[0]()
    offered = {f().get_extension(): f for f in model_admin.get_export_formats()}
    assert set(offered) == {"csv", "xlsx", "tsv", "json", "yaml", "html"}
    for extension, format_class in offered.items():
        dataset = resource.export(Organization.objects.filter(pk=org.pk))
        values = _exported_values(extension, format_class().export_data(dataset))
        if extension == "xlsx":
            assert (FORMULA, "s") in values
        else:
            text = [html.unescape(str(v)) for v in values]
            assert "'" + FORMULA in text, extension
            assert not any(v.startswith("=") for v in text), extension


def test_a_binary_spreadsheet_format_is_never_offered_and_would_be_escaped(world, monkeypatch):
    from import_export.formats import base_formats

    from portal.lib.admin import formula_safe_format

    # installed by chance (tablib[xls], tablib[ods]): still not offered
    monkeypatch.setattr(base_formats.XLS, "is_available", classmethod(lambda cls: True))
    monkeypatch.setattr(base_formats.ODS, "is_available", classmethod(lambda cls: True))
    model_admin = admin.site._registry[Organization]
    offered = {f().get_extension() for f in model_admin.get_export_formats()}
    assert not offered & {"xls", "ods"}

    # and a binary format other than xlsx gets the apostrophe in its values
    class Binary(base_formats.CSV):
        def is_binary(self):
            return True

        def export_data(self, dataset, **kwargs):
            return super().export_data(dataset, **kwargs).encode()

    org = world.orgs[0]
    org.name = FORMULA
    org.save()
    resource = model_admin.get_export_resource_classes(None)[0]()
    data = formula_safe_format(Binary)().export_data(
        resource.export(Organization.objects.filter(pk=org.pk))
    )
    assert ("'" + FORMULA).replace('"', '""').encode() in data


def _close_and_reopen(admin_user_client, world) -> dict:
    data = _bloc_page(admin_user_client, world.bloc)
    membership = Membership.objects.get(bloc=world.bloc, organization=world.orgs[3])
    i = _inline_row(data, "memberships", "id", membership.pk)
    data[f"memberships-{i}-last_year"] = str(current_year() - 1)
    _add_inline_row(
        data, "memberships", organization=world.orgs[3].pk, first_year=current_year() + 1
    )
    return data


def test_closing_and_reopening_passes_the_constraint_check_of_django_6(admin_user_client, world):
    """Django 6.0 (#35676) validates, per inline row, the constraints that name the inline
    foreign key; 5.2 skips them. Emulated here: each changed row's constraints are validated
    with the form's own exclusions only, as 6.0 does."""
    from django.core.exceptions import ValidationError
    from django.forms import inlineformset_factory, modelform_factory
    from django.test import RequestFactory

    from blocs.admin.blocs import MembershipInline
    from blocs.admin.forms import MembershipInlineFormSet

    data = _close_and_reopen(admin_user_client, world)
    request = RequestFactory().post("/", data)
    request.user = world.users["admin"]
    formset_class = MembershipInline(Bloc, admin.site).get_formset(request, world.bloc)
    formset = formset_class(data, instance=world.bloc, prefix="memberships")
    assert formset.is_valid(), formset.errors
    changed = [form for form in formset.forms if form.has_changed()]
    assert len(changed) == 2
    for form in changed:
        form.instance.validate_constraints(exclude=form._get_validation_exclusions())

    # The plain model form the inline had before: its new open row is refused under 6.0.
    fields = ["organization", "first_year", "last_year", "rotation_order"]
    before = inlineformset_factory(
        Bloc,
        Membership,
        form=modelform_factory(Membership, fields=fields),
        formset=MembershipInlineFormSet,
        fields=fields,
        extra=0,
    )(data, instance=world.bloc, prefix="memberships")
    assert before.is_valid()  # 5.2 skips the constraint: it names the inline foreign key
    new_row = next(f for f in before.forms if f.has_changed() and f.instance.pk is None)
    with pytest.raises(ValidationError, match="Đơn vị này đã là thành viên"):
        new_row.instance.validate_constraints(exclude=new_row._get_validation_exclusions())

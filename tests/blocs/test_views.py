"""The bloc pages and the dashboard: content, the edit flow, and constant query counts.

Who may open which page is `tests/test_access_matrix.py`; this file checks what
the pages show and that their query count does not grow with the data.
"""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import Bloc, ChairTerm, current_year
from blocs.views import blocs as views
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    SecretaryAssignmentFactory,
    UserFactory,
)

YEAR = current_year()


@pytest.fixture(autouse=True)
def english(settings):
    # Assertions on UI text use the English msgids, whatever vi.po says later.
    settings.LANGUAGE_CODE = "en"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _assert_constant(client, url, grow, django_assert_num_queries) -> int:
    """Count the queries of `url`, call `grow()` to add 9× more data, count again."""
    first = _queries(client, url)
    grow()
    with django_assert_num_queries(first):
        assert client.get(url).status_code == 200
    return first


# Dashboard -----------------------------------------------------------------


def test_dashboard_shows_my_blocs_with_chair_and_deputy(world, client_for):
    response = client_for("member").get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert world.bloc.name in content
    assert world.other_bloc.name not in content
    card = response.context["dashboard"].cards[0]
    assert (card.term.chair, card.term.deputy) == (world.orgs[0], world.orgs[1])
    assert card.bloc.members_count == 4
    assert world.orgs[0].name in content and world.orgs[1].name in content
    assert "Liên đoàn Lao động thành phố" in content  # my organization


def test_dashboard_says_when_a_bloc_has_no_chair_this_year(world, client_for):
    ChairTerm.objects.filter(bloc=world.bloc).delete()
    response = client_for("member").get(reverse("home"))
    assert f"No chair or deputy recorded for {YEAR}." in response.content.decode()


def test_dashboard_tells_the_secretariat_what_needs_attention(world, client_for):
    response = client_for("secretariat").get(reverse("home"))
    attention = {(a.kind, a.bloc, a.year) for a in response.context["dashboard"].attention}
    # The bloc has this year's term but none for next year.
    assert attention == {
        ("secretariat", world.bloc, YEAR),
        ("no_next_term", world.bloc, YEAR + 1),
    }
    assert "You are in the secretariat of" in response.content.decode()


def test_dashboard_of_a_plain_member_has_an_empty_attention_list(world, client_for):
    response = client_for("member").get(reverse("home"))
    assert response.context["dashboard"].attention == []
    assert "Nothing needs your attention" in response.content.decode()


def test_an_admin_s_dashboard_counts_every_bloc_and_lists_only_its_own(world, client_for):
    # Thousands of blocs at national scale: the admin gets their numbers and a search, and
    # cards only for the blocs it holds a role in (none here).
    response = client_for("admin").get(reverse("home"))
    dashboard = response.context["dashboard"]
    assert dashboard.cards == [] and dashboard.attention == []
    with_term = ChairTerm.objects.filter(year=YEAR).values("bloc").distinct().count()
    with_next = ChairTerm.objects.filter(year=YEAR + 1).values("bloc").distinct().count()
    assert dashboard.overview.blocs == Bloc.objects.count() == 2
    assert dashboard.overview.without_term == 2 - with_term
    assert dashboard.overview.without_next_term == 2 - with_next
    content = response.content.decode()
    assert world.other_bloc.name not in content
    assert reverse("blocs:search") in content
    assert f"{reverse('admin:blocs_bloc_changelist')}?next_term=missing" in content
    # An assignment makes the bloc the admin's own: its card and what it asks of them.
    SecretaryAssignmentFactory(bloc=world.other_bloc, user=world.users["admin"])
    dashboard = client_for("admin").get(reverse("home")).context["dashboard"]
    assert [card.bloc for card in dashboard.cards] == [world.other_bloc]


def test_an_admin_s_dashboard_runs_the_same_queries_with_ten_times_the_blocs(
    world, client_for, django_assert_num_queries
):
    def add_blocs():
        for _ in range(20):
            bloc = BlocFactory()
            member = MembershipFactory(bloc=bloc, first_year=YEAR - 1)
            ChairTermFactory(bloc=bloc, year=YEAR, chair=member.organization)

    client = client_for("admin")
    _assert_constant(client, reverse("home"), add_blocs, django_assert_num_queries)
    assert client.get(reverse("home")).context["dashboard"].overview.blocs == 22


def test_dashboard_empty_state(db, client):
    client.force_login(OfficialFactory().user)
    response = client.get(reverse("home"))
    assert "You are not in any bloc yet" in response.content.decode()


def test_dashboard_query_count_is_constant(world, client_for, django_assert_num_queries):
    org = world.orgs[2]  # the member's organization

    def add_blocs(n):
        for _ in range(n):
            bloc = BlocFactory()
            mine = MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 1)
            other = MembershipFactory(bloc=bloc, first_year=YEAR - 1)
            ChairTermFactory(bloc=bloc, year=YEAR, chair=other.organization, deputy=org)
            ChairTermFactory(bloc=bloc, year=YEAR + 1, chair=mine.organization)

    client = client_for("member")
    add_blocs(2)
    count = _assert_constant(
        client, reverse("home"), lambda: add_blocs(27), django_assert_num_queries
    )
    assert len(client.get(reverse("home")).context["dashboard"].cards) == 30
    # session, user, official+organization (blocs.models.official_of, which the navbar reads
    # too), blocs (member count and secretary as subqueries), chair terms of this and next
    # year, upcoming meetings, this year's pledges (none here: the to-do list stops there),
    # the bell's unread count
    # ...and, the member's organization chairing next year in every bloc (issue 12), next
    # year's pledges, launch meetings and secretariat assignments for its checklist
    # ...and the council seats, for the council card (issue 16)
    assert count == 12


# Bloc list -----------------------------------------------------------------


def test_bloc_list_shows_kind_members_and_current_chair(world, client_for):
    response = client_for("member").get(reverse("blocs:bloc_list"))
    [bloc] = response.context["page"].object_list
    assert bloc == world.bloc
    assert bloc.members_count == 4
    assert bloc.term.chair == world.orgs[0]
    assert world.orgs[0].short_name in response.content.decode()


def test_bloc_list_filters_by_kind(world, client_for):
    Bloc.objects.filter(pk=world.other_bloc.pk).update(kind=Bloc.Kind.CUM)
    client = client_for("admin")
    response = client.get(reverse("blocs:bloc_list"), {"kind": "cum"})
    assert list(response.context["page"].object_list) == [world.other_bloc]
    response = client.get(reverse("blocs:bloc_list"), {"kind": "khoi"})
    assert list(response.context["page"].object_list) == [world.bloc]


def test_bloc_list_empty_state(db, client):
    client.force_login(OfficialFactory().user)
    response = client.get(reverse("blocs:bloc_list"))
    assert "No blocs to show" in response.content.decode()


def test_bloc_list_paginates_by_25(world, client_for):
    BlocFactory.create_batch(30)
    client = client_for("admin")
    assert len(client.get(reverse("blocs:bloc_list")).context["page"].object_list) == 25
    second = client.get(reverse("blocs:bloc_list"), {"page": 2}).context["page"]
    assert len(second.object_list) == 32 - 25


def test_bloc_list_query_count_is_constant(world, client_for, django_assert_num_queries):
    def add_blocs(n):
        for _ in range(n):
            bloc = BlocFactory()
            members = MembershipFactory.create_batch(3, bloc=bloc, first_year=YEAR - 1)
            ChairTermFactory(
                bloc=bloc, year=YEAR, chair=members[0].organization, deputy=members[1].organization
            )

    client = client_for("admin")
    add_blocs(2)
    url = reverse("blocs:bloc_list")
    count = _assert_constant(client, url, lambda: add_blocs(18), django_assert_num_queries)
    # session, user, page count, page of blocs (member count subquery), this year's
    # chair terms, navbar user.official (the admin has none, so no organization), the bell
    assert count == 7


# Bloc page -----------------------------------------------------------------


def test_bloc_page_shows_members_in_rotation_order_and_former_members(world, client_for):
    left = MembershipFactory(bloc=world.bloc, first_year=YEAR - 5, last_year=YEAR - 1)
    response = client_for("member").get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    page = response.context["page"]
    assert [m.organization for m in page.members] == world.orgs
    assert [m.organization for m in page.former] == [left.organization]
    content = response.content.decode()
    for org in [*world.orgs, left.organization]:
        assert org.get_absolute_url() in content


def test_bloc_page_shows_the_full_chair_history(world, client_for):
    a, b, c, _ = world.orgs
    ChairTermFactory(bloc=world.bloc, year=YEAR - 1, chair=b, deputy=c, method="election")
    ChairTermFactory(bloc=world.bloc, year=YEAR - 2, chair=c, deputy=a)
    response = client_for("member").get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    terms = response.context["page"].terms
    assert [(t.year, t.chair, t.deputy) for t in terms] == [
        (YEAR, a, b),
        (YEAR - 1, b, c),
        (YEAR - 2, c, a),
    ]
    content = response.content.decode()
    assert "Elected" in content and "Rotation" in content


def test_bloc_page_lists_the_secretariat_and_shows_edit_only_to_it(world, client_for):
    assigned = UserFactory(first_name="Thị", last_name="Trần Thư Ký")
    SecretaryAssignmentFactory(bloc=world.bloc, user=assigned)
    url = reverse("blocs:bloc_detail", args=[world.bloc.pk])
    edit = reverse("blocs:bloc_edit", args=[world.bloc.pk])
    response = client_for("secretariat").get(url)
    page = response.context["page"]
    assert [o.user for o in page.chair_officials] == [world.users["secretariat"]]
    assert page.secretaries == [assigned]
    assert edit in response.content.decode()
    assert edit not in client_for("member").get(url).content.decode()


def test_bloc_page_query_count_is_constant(world, client_for, django_assert_num_queries):
    start = [YEAR - 1]

    def grow(n):
        for _ in range(n):
            joined = MembershipFactory(bloc=world.bloc, first_year=YEAR - 40)
            MembershipFactory(bloc=world.bloc, first_year=YEAR - 40, last_year=YEAR - 2)
            ChairTermFactory(bloc=world.bloc, year=start[0], chair=joined.organization)
            SecretaryAssignmentFactory(bloc=world.bloc, user=UserFactory())
            OfficialFactory(organization=world.orgs[0])
            start[0] -= 1

    client = client_for("secretariat")
    grow(2)
    url = reverse("blocs:bloc_detail", args=[world.bloc.pk])
    count = _assert_constant(client, url, lambda: grow(18), django_assert_num_queries)
    # session, user, the blocs and years the user reads (blocs.models.read_spans), bloc,
    # memberships, chair terms, assigned secretaries, chair officials, recent meetings,
    # manage_bloc (blocs.rules.secretariat_spans: assignments and chair terms, one union),
    # the navbar's official with its organization (blocs.models.official_of), the bloc's
    # pledges (the "Emulation pledges" card), the bell
    assert count == 13


# Bloc edit -----------------------------------------------------------------


def test_edit_shows_the_form_to_the_secretariat(world, client_for):
    response = client_for("secretariat").get(reverse("blocs:bloc_edit", args=[world.bloc.pk]))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"locality", "operating_rules"}


def test_edit_saves_through_the_service_and_records_who(world, client_for, monkeypatch):
    calls = []
    real = views.bloc_update_info

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(views, "bloc_update_info", spy)
    user = world.users["secretariat"]
    url = reverse("blocs:bloc_edit", args=[world.bloc.pk])
    data = {"locality": "  Hải Phòng ", "operating_rules": "Điều 1. Khối hoạt động theo quy chế."}
    response = client_for("secretariat").post(url, data, follow=True)

    assert response.redirect_chain == [(world.bloc.get_absolute_url(), 302)]
    assert "The bloc information has been saved." in response.content.decode()
    assert calls and calls[0]["actor"] == user
    world.bloc.refresh_from_db()
    assert world.bloc.locality == "Hải Phòng"
    assert world.bloc.operating_rules == data["operating_rules"]
    assert world.bloc.history.first().history_user == user


def test_edit_invalid_post_changes_nothing(world, client_for):
    before = world.bloc.history.count()
    url = reverse("blocs:bloc_edit", args=[world.bloc.pk])
    response = client_for("secretariat").post(
        url, {"locality": "x" * 101, "operating_rules": "changed"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["locality"]
    world.bloc.refresh_from_db()
    assert world.bloc.locality == "Hải Phòng"
    assert world.bloc.operating_rules == ""
    assert world.bloc.history.count() == before


def test_member_gets_403_on_edit_and_cannot_post(world, client_for):
    url = reverse("blocs:bloc_edit", args=[world.bloc.pk])
    client = client_for("member")
    assert client.get(url).status_code == 403
    assert client.post(url, {"locality": "Hà Nội", "operating_rules": ""}).status_code == 403
    world.bloc.refresh_from_db()
    assert world.bloc.locality == "Hải Phòng"


def test_assigned_secretary_may_edit(world, client):
    secretary = UserFactory()
    SecretaryAssignmentFactory(bloc=world.bloc, user=secretary)
    client.force_login(secretary)
    assert client.get(reverse("blocs:bloc_edit", args=[world.bloc.pk])).status_code == 200


# Organization page ---------------------------------------------------------


def test_organization_page_shows_memberships_terms_and_officials(world, client_for):
    org = world.orgs[0]
    official = OfficialFactory(organization=org, position="Phó Chủ tịch")
    response = client_for("member").get(reverse("blocs:organization_detail", args=[org.pk]))
    page = response.context["page"]
    assert [m.bloc for m in page.memberships] == [world.bloc]
    assert [(t.bloc, t.year) for t in page.terms] == [(world.bloc, YEAR)]
    assert official in page.officials
    assert "Phó Chủ tịch" in response.content.decode()


def test_organization_page_hides_blocs_the_user_cannot_see(world, client_for):
    org = world.orgs[0]
    MembershipFactory(bloc=world.other_bloc, organization=org, first_year=YEAR - 1)
    url = reverse("blocs:organization_detail", args=[org.pk])
    member_sees = {m.bloc for m in client_for("member").get(url).context["page"].memberships}
    assert member_sees == {world.bloc}
    admin_sees = {m.bloc for m in client_for("admin").get(url).context["page"].memberships}
    assert admin_sees == {world.bloc, world.other_bloc}


def test_organization_page_query_count_is_constant(world, client_for, django_assert_num_queries):
    org = world.orgs[2]
    years = [YEAR - 1]

    def grow(n):
        for _ in range(n):
            bloc = BlocFactory()
            MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 30)
            ChairTermFactory(bloc=bloc, year=years[0], chair=org)
            OfficialFactory(organization=org)
            years[0] -= 1

    client = client_for("member")
    grow(2)
    url = reverse("blocs:organization_detail", args=[org.pk])
    count = _assert_constant(client, url, lambda: grow(18), django_assert_num_queries)
    # session, user, the blocs the user reads (blocs.models.read_spans), organization
    # (visible_to), memberships, chair terms, officials, the navbar's official with its
    # organization (blocs.models.official_of), the bell
    assert count == 9


# Search --------------------------------------------------------------------


def test_search_query_count_is_constant(world, client_for, django_assert_num_queries):
    serial = itertools.count()

    def grow(n):
        for _ in range(n):
            bloc = BlocFactory(name=f"Cụm Thành đoàn {next(serial)}")
            org = OrganizationFactory(name=f"Thành đoàn quận {next(serial)}")
            MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 1)

    client = client_for("admin")
    grow(3)
    url = reverse("blocs:search") + "?q=thanh+doan"
    count = _assert_constant(client, url, lambda: grow(27), django_assert_num_queries)
    # session, user, blocs, organization count, page of organizations, navbar official,
    # the bell
    assert count == 7


def test_search_paginates_organizations(world, client_for):
    for i in range(30):
        OrganizationFactory(name=f"Hội Nông dân xã {i}")
    response = client_for("admin").get(reverse("blocs:search"), {"q": "nong dan"})
    organizations = response.context["organizations"]
    assert organizations.paginator.count == 30
    assert len(organizations.object_list) == 25


def test_bloc_page_lists_a_chair_official_who_is_also_assigned_once(world, client_for):
    SecretaryAssignmentFactory(bloc=world.bloc, user=world.users["secretariat"])
    response = client_for("member").get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    page = response.context["page"]
    assert [o.user for o in page.chair_officials] == [world.users["secretariat"]]
    assert page.secretaries == []


def test_an_admin_s_dashboard_shows_the_roles_it_holds_not_every_bloc_s_secretariat(
    world, client_for
):
    # Admins may do everything, but their dashboard does not ask them to do each bloc's
    # secretariat work: only an assignment makes them part of a secretariat there.
    response = client_for("admin").get(reverse("home"))
    dashboard = response.context["dashboard"]
    assert not any(card.is_secretariat for card in dashboard.cards)
    assert not [a for a in dashboard.attention if a.kind == "secretariat"]
    SecretaryAssignmentFactory(bloc=world.bloc, user=world.users["admin"])
    dashboard = client_for("admin").get(reverse("home")).context["dashboard"]
    assert {card.bloc for card in dashboard.cards if card.is_secretariat} == {world.bloc}


def test_the_navbar_names_the_person_and_their_organization(world, client_for):
    import re

    def user_button(role):
        page = client_for(role).get(reverse("home")).content.decode()
        return re.search(r'class="[^"]*portal-user".*?</button>', page, re.S).group(0)

    assert world.orgs[2].display_name in user_button("member")
    admin = user_button("admin")  # no official: the name alone
    assert "opacity-75" not in admin and all(o.display_name not in admin for o in world.orgs)

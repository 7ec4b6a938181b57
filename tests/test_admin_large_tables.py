"""Changelists of tables that grow every year: one count, never a whole-table COUNT(*) once
the table is big (PostgreSQL's own estimate instead), and the count of an organization's
blocs computed for the rows of the page only."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import Membership, current_year
from tests.factories import BlocFactory, MembershipFactory, OrganizationFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI=true: this test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (DATABASE_URL): the estimate is PostgreSQL's pg_class")


def _memberships(n: int) -> None:
    bloc = BlocFactory()
    for _ in range(n):
        MembershipFactory(bloc=bloc, organization=OrganizationFactory(), first_year=2020)


def _whole_table_counts(queries: list[dict]) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT COUNT(*)") and "blocs_membership" in q["sql"]
    ]


def test_a_big_whole_table_shows_the_estimate_and_is_never_counted(admin_client, settings):
    _needs_postgresql()
    _memberships(12)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blocs_membership")
    settings.ADMIN_EXACT_COUNT_LIMIT = 10
    url = reverse("admin:blocs_membership_changelist")
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert _whole_table_counts(ctx.captured_queries) == []
    assert response.context["cl"].result_count == 12  # ANALYZE read all of this small table
    # ...and the page says it is an estimate.
    assert '<span class="result-count">khoảng 12</span>' in response.content.decode()
    # Filtered, it is counted exactly (and once: no second count of the whole table).
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url, {"current": "yes"})
    counts = [q for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and response.context["cl"].result_count == 12


def test_below_the_limit_the_whole_table_is_counted_exactly(admin_client, settings):
    _memberships(3)
    settings.ADMIN_EXACT_COUNT_LIMIT = 100_000
    response = admin_client.get(reverse("admin:blocs_membership_changelist"))
    assert response.context["cl"].result_count == Membership.objects.count() == 3
    assert '<span class="result-count">3</span>' in response.content.decode()
    assert response.context["cl"].show_full_result_count is False


def test_the_organization_changelist_counts_the_blocs_of_this_year(admin_client):
    org = OrganizationFactory(name="Hội Nông dân thành phố")
    for first, last in ((2020, None), (2021, None), (2018, 2019)):
        MembershipFactory(bloc=BlocFactory(), organization=org, first_year=first, last_year=last)
    response = admin_client.get(reverse("admin:blocs_organization_changelist"))
    row = next(o for o in response.context["cl"].result_list if o.pk == org.pk)
    assert row._bloc_count == 2  # the 2018-2019 membership has ended
    assert current_year() > 2021
    # Sorting by the count still works.
    response = admin_client.get(reverse("admin:blocs_organization_changelist"), {"o": "-8"})
    assert response.status_code == 200


def test_the_portal_s_connections_run_without_jit(db):
    _needs_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


# Growth: every big changelist runs the same queries at N and 10N rows ----------------------

CHANGELISTS = [
    "blocs_organization",
    "blocs_membership",
    "blocs_meeting",
    "blocs_chairterm",
    "blocs_bloc",
    "pledges_pledge",
    "pledges_scoresheet",
    "pledges_score",
    "pledges_registration",
]


def _bloc_with_a_year(n: int) -> None:
    """n blocs, each with a member, a chair term, a meeting, a pledge, a criterion, a sheet
    and a score: a row in each changelist above."""
    from datetime import timedelta

    from django.utils import timezone

    from blocs.models import Meeting
    from pledges.models import Registration, Score, ScoreSheet
    from tests.factories import ChairTermFactory, CriterionFactory, PledgeFactory

    year = current_year()
    for _ in range(n):
        bloc = BlocFactory()
        org = OrganizationFactory()
        MembershipFactory(bloc=bloc, organization=org, first_year=year - 1)
        ChairTermFactory(bloc=bloc, year=year, chair=org)
        Meeting.objects.create(
            bloc=bloc,
            year=year,
            kind=Meeting.Kind.LAUNCH,
            title="Hội nghị phát động thi đua",
            starts_at=timezone.now() + timedelta(days=3),
            place="Hội trường",
        )
        pledge = PledgeFactory(bloc=bloc, year=year)
        criterion = CriterionFactory(pledge=pledge)
        sheet = ScoreSheet.objects.create(pledge=pledge, organization=org, round="self")
        Score.objects.create(sheet=sheet, criterion=criterion, points=5)
        Registration.objects.create(pledge=pledge, organization=org)


@pytest.mark.parametrize("name", CHANGELISTS)
@pytest.mark.parametrize("query", [{}, {"bloc_name": "khoi", "year": str(current_year())}])
def test_each_big_changelist_runs_the_same_queries_at_n_and_10n_rows(
    admin_client, django_assert_num_queries, name, query
):
    url = reverse(f"admin:{name}_changelist")
    if name in ("blocs_organization", "blocs_bloc"):
        query = {}  # no bloc or year filter there
    elif name == "blocs_membership":
        query = {"bloc_name": query.get("bloc_name")} if query else {}
    _bloc_with_a_year(2)
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url, query)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2
    _bloc_with_a_year(18)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = admin_client.get(url, query)
    assert response.context["cl"].result_count >= 20


def test_the_bloc_filter_matches_part_of_the_name_without_accents(admin_client):
    _bloc_with_a_year(1)
    bloc = BlocFactory(name="Cụm thi đua số 12 Hải Phòng")
    MembershipFactory(bloc=bloc, organization=OrganizationFactory(), first_year=2020)
    url = reverse("admin:blocs_membership_changelist")
    response = admin_client.get(url, {"bloc_name": "cum thi dua so 12"})
    assert [m.bloc for m in response.context["cl"].result_list] == [bloc]
    # The sidebar has the small form, not a link per bloc.
    content = response.content.decode()
    assert 'name="bloc_name" value="cum thi dua so 12"' in content
    assert f"bloc__id__exact={bloc.pk}" not in content


def test_the_year_filter_lists_years_without_reading_the_table(admin_client):
    _bloc_with_a_year(1)
    url = reverse("admin:blocs_meeting_changelist")
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url, {"year": str(current_year() - 1)})
    assert response.context["cl"].result_count == 0
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    assert f"?year={current_year() + 1}" in response.content.decode()


def test_a_big_table_pages_by_fifty_and_its_row_checkboxes_still_select_for_actions(
    admin_client,
):
    """The row checkbox is written without a widget template (`LargeTableMixin`); the bulk
    action form still finds the rows it names."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    _memberships(51)
    url = reverse("admin:blocs_membership_changelist")
    response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 50
    html = response.content.decode()
    first = response.context["cl"].result_list[0]
    label = f"Chọn mục này để thực hiện thao tác - {first}"
    assert (
        f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{first.pk}" '
        f'class="action-select" aria-label="{label}">'
    ) in html
    assert html.count('class="action-select"') == 50


def test_a_count_is_grouped_by_thousands_the_vietnamese_way(admin_client, settings):
    from django.template import Context, Template

    html = Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": 19800000}))
    assert html == "19.800.000"

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

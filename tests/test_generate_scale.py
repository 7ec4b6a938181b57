"""The national-scale generator at a tiny scale: the shape it promises, consistent rows
the portal's pages read, and a refusal to write into a database that has data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from blocs.models import Bloc, Meeting, Membership, Official, Organization
from pledges.models import Criterion, Pledge, Score, ScoreSheet
from portal.management.commands import generate_scale as gen


def test_a_tiny_scale_has_the_promised_shape_and_pages_read_it(db, client):
    out = StringIO()
    call_command("generate_scale", scale=0.001, stdout=out)
    blocs = Bloc.objects.count()
    assert blocs == 2  # 2,200 x 0.001
    assert Organization.objects.exclude(kind=Organization.Kind.FRONT).count() == 20
    assert Official.objects.count() == 20
    assert Membership.objects.count() == blocs * gen.MEMBERS_PER_BLOC
    assert Pledge.objects.count() == blocs * gen.YEARS
    per_pledge = gen.GROUPS * (1 + gen.CRITERIA_PER_GROUP)
    assert Criterion.objects.count() == blocs * gen.YEARS * per_pledge
    sheets = blocs * gen.YEARS * gen.MEMBERS_PER_BLOC * 2
    assert ScoreSheet.objects.count() == sheets
    assert Score.objects.count() == sheets * gen.GROUPS * gen.CRITERIA_PER_GROUP
    meetings = Meeting.objects.count()
    assert 3 * blocs * gen.YEARS <= meetings <= 4 * blocs * gen.YEARS
    # Points within the criteria's maximum, computed by the database.
    score = Score.objects.select_related("criterion").first()
    assert 0 < score.points <= score.criterion.max_points
    assert "done in" in out.getvalue()

    official = Official.objects.select_related("user").first()
    assert client.login(username=official.user.username, password=gen.PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    bloc = Membership.objects.filter(organization=official.organization).first().bloc
    assert bloc.name in response.content.decode()


def test_it_refuses_a_database_that_has_organizations(db):
    Organization.objects.create(name="Hội Liên hiệp Phụ nữ thành phố")
    with pytest.raises(CommandError, match="already has organizations"):
        call_command("generate_scale", scale=0.001, stdout=StringIO())
    assert Bloc.objects.count() == 0


def test_the_benchmark_explains_every_page_it_times_on_the_generated_data(db):
    """`bench_pages --explain`: every key page answers its benchmark user (HTTP 200) and
    its slowest SELECTs come with PostgreSQL's plan and actual times."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true: this test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (DATABASE_URL): EXPLAIN ANALYZE")
    call_command("generate_scale", scale=0.001, stdout=StringIO())
    out = StringIO()
    call_command("bench_pages", explain=True, stdout=out)
    text = out.getvalue()
    pages = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(pages) == 17 and all("HTTP 200" in line for line in pages), pages
    assert "## admin: scores" in text and "Execution Time:" in text
    assert text.count("Execution Time:") >= len(pages)  # at least one plan per page

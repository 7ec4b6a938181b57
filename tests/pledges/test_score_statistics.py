"""The scores' sheet column is sampled widely enough for the planner to know how many
scores a sheet has (migration pledges 0009): a sheet's scores are read with a nested loop,
never by hashing every user."""

from __future__ import annotations

import os

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_sheet_column_of_the_scores_has_a_large_statistics_sample():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true: this test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (DATABASE_URL): per-column statistics targets")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'pledges_score'::regclass AND attname = 'sheet_id'"
        )
        (target,) = cursor.fetchone()
    assert target == 1000

"""Time the two heaviest pledge pages on a large bloc: the verification grid and the results.

Seeds a throwaway bloc of 60 members × 40 criteria (10 groups of 4) with submitted self
sheets and verified sheets, inside a transaction that is rolled back at the end, so the
database is left as it was. Prints, per page, the median server time of 5 requests through
the Django test client and the number of queries.
"""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from blocs.models import Bloc, ChairTerm, Membership, Official, Organization, current_year
from pledges.models import Criterion, Pledge, Score, ScoreSheet


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Seed 60 members × 40 criteria in a rolled-back transaction and time the pages."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=60)
        parser.add_argument("--criteria", type=int, default=40)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, members: int, criteria: int, runs: int, **options):
        try:
            with transaction.atomic():
                pledge, user = self._seed(members, criteria)
                self._bench(pledge, user, runs)
                raise Rollback
        except Rollback:
            self.stdout.write("Seed data rolled back.")

    def _seed(self, n_members: int, n_criteria: int):
        year = current_year()
        bloc = Bloc.objects.create(name="Khối thi đua (đo hiệu năng)", kind=Bloc.Kind.KHOI)
        orgs = Organization.objects.bulk_create(
            Organization(
                name=f"Đơn vị thành viên số {i}",
                short_name=f"ĐV {i}",
                abbreviation=f"BENCH{i}",
                kind=Organization.Kind.WOMEN,
            )
            for i in range(n_members)
        )
        Membership.objects.bulk_create(
            Membership(bloc=bloc, organization=org, first_year=year - 1, rotation_order=i)
            for i, org in enumerate(orgs)
        )
        ChairTerm.objects.create(bloc=bloc, year=year, chair=orgs[0])
        user = get_user_model().objects.create_user("bench-secretary", password=None)
        Official.objects.create(user=user, organization=orgs[0], position="Chuyên viên")
        pledge = Pledge.objects.create(
            bloc=bloc,
            year=year,
            title="Giao ước (đo hiệu năng)",
            status=Pledge.Status.SCORING,
            classification_bands=[{"name": "Xuất sắc", "min": 90}, {"name": "Tốt", "min": 70}],
            tie_break_order=["bonus", "penalty"],
        )
        per_group = 4
        leaves = []
        for g in range(n_criteria // per_group):
            group = Criterion.objects.create(
                pledge=pledge,
                code=f"{g + 1}",
                text=f"Nhóm tiêu chí {g + 1}",
                max_points=10,
                order=g,
            )
            for c in range(per_group):
                leaves.append(
                    Criterion.objects.create(
                        pledge=pledge,
                        parent=group,
                        code=f"{g + 1}.{c + 1}",
                        text=f"Tiêu chí {g + 1}.{c + 1}",
                        max_points=Decimal("2.5"),
                        order=c,
                    )
                )
        now = timezone.now()
        sheets = ScoreSheet.objects.bulk_create(
            ScoreSheet(
                pledge=pledge, organization=org, round=round, status="submitted", submitted_at=now
            )
            for org in orgs
            for round in ("self", "verified")
        )
        Score.objects.bulk_create(
            Score(
                sheet=sheet,
                criterion=leaf,
                points=Decimal("2.5") - Decimal((i + j) % 5) / 4,
            )
            for i, sheet in enumerate(sheets)
            for j, leaf in enumerate(leaves)
        )
        self.stdout.write(
            f"Seeded {n_members} members × {len(leaves)} criteria, "
            f"{Score.objects.filter(sheet__pledge=pledge).count()} scores."
        )
        return pledge, user

    def _bench(self, pledge: Pledge, user, runs: int) -> None:
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            client = Client()
            client.force_login(user)
            for name in ("verify", "results"):
                url = reverse(f"pledges:{name}", args=[pledge.pk])
                times, queries = [], 0
                for _ in range(runs + 1):  # the first request warms the caches up
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        response = client.get(url)
                        times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.status_code
                    queries = len(captured)
                median = statistics.median(times[1:])
                self.stdout.write(
                    f"{name:8} median {median:7.1f} ms over {runs} runs, {queries} queries, "
                    f"{len(response.content) // 1024} KiB"
                )

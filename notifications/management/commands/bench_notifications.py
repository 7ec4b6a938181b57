"""How long the deadline scan and the daily digest take, and how many queries, for a large
installation (bulk-created inside a transaction that is rolled back: nothing is left)."""

from __future__ import annotations

import datetime
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blocs.models import Bloc, Membership, Official, Organization
from notifications.services import deadlines_scan, digests_prepare
from pledges.models import Pledge


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Print the time and query count of the deadline scan and the digest for N "
        "organizations and M officials (default 2,000 and 10,000), and for a tenth of that."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=2000)
        parser.add_argument("--officials", type=int, default=10000)
        parser.add_argument("--per-bloc", type=int, default=10)

    def handle(self, *args, organizations, officials, per_bloc, **options):
        for scale in (10, 1):
            try:
                with transaction.atomic():
                    self._run(organizations // scale, officials // scale, per_bloc)
                    raise Rollback
            except Rollback:
                pass

    def _run(self, n_orgs: int, n_officials: int, per_bloc: int) -> None:
        today = timezone.localdate()
        year = today.year
        tag = f"bench-{time.time_ns()}"
        orgs = Organization.objects.bulk_create(
            Organization(name=f"{tag} Đơn vị {i}", search_name=f"{tag} don vi {i}")
            for i in range(n_orgs)
        )
        n_blocs = max(1, n_orgs // per_bloc)
        blocs = Bloc.objects.bulk_create(
            Bloc(name=f"{tag} Khối thi đua {i}", search_name=f"{tag} khoi {i}")
            for i in range(n_blocs)
        )
        Membership.objects.bulk_create(
            Membership(bloc=blocs[i % n_blocs], organization=org, first_year=year - 1)
            for i, org in enumerate(orgs)
        )
        User = get_user_model()
        users = User.objects.bulk_create(
            # "!" is Django's unusable password: nobody can log in as these.
            User(username=f"{tag}-{i}", email=f"{tag}-{i}@example.org", password="!")  # noqa: S106
            for i in range(n_officials)
        )
        Official.objects.bulk_create(
            Official(user=user, organization=orgs[i % n_orgs]) for i, user in enumerate(users)
        )
        Pledge.objects.bulk_create(
            Pledge(
                bloc=bloc,
                year=year,
                title=f"Giao ước thi đua năm {year}",
                status=Pledge.Status.SCORING,
                registration_deadline=today + datetime.timedelta(days=3),
                scoring_deadline=today + datetime.timedelta(days=1),
            )
            for bloc in blocs
        )
        self.stdout.write(
            f"{n_orgs} organizations, {n_officials} officials, {n_blocs} blocs with a pledge"
        )
        scan = self._measure("deadline scan", lambda: deadlines_scan(today=today))
        self.stdout.write(f"  notices made: {scan}")
        later = timezone.now() + datetime.timedelta(minutes=1)
        digests = self._measure("digest", lambda: len(digests_prepare(now=later)))
        self.stdout.write(f"  digests prepared: {digests}")

    def _measure(self, name: str, run):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = run()
            seconds = time.perf_counter() - started
        self.stdout.write(f"  {name}: {seconds:.2f} s, {len(captured)} queries")
        return result

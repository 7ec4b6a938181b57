"""Write a national-scale dataset for benchmarks: `manage.py generate_scale --scale S`.

At S=1 the shape is the one measured for the 2025 reorganization (issue "National scale"):
34 provinces organizing 2,200 blocs of about 9 members among 20,000 organizations, one
official per organization, ten emulation years, about 3.5 meetings per bloc and year
(77,000), a pledge per bloc and year with 5 criteria groups of 10 criteria each, and two
sheets (self-scoring, verification) per member and year with a score per criterion: about
20 million score rows. S=0.1 is a tenth of everything but the years and the criteria.

Rows are written with bulk inserts in batches (scores with one INSERT … SELECT per batch
of pledges, computed by the database), so S=0.1 takes minutes. Nothing is random: the same
S gives the same data. The generated organizations are named "Đơn vị 00001 …" and the
blocs "Khối thi đua 0001 …"; every official's password is `bench12345` (for the benchmark's
logins: never run this on a database with real data — it refuses a database that already
has organizations unless --force is given).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from blocs.models import Bloc, ChairTerm, Meeting, Membership, Official, Organization
from pledges.models import Criterion, Pledge, ScoreSheet
from portal.lib.dates import current_year
from portal.lib.text import fold, sort_key

NATIONAL = {"provinces": 34, "blocs": 2_200, "organizations": 20_000}
YEARS = 10
GROUPS, CRITERIA_PER_GROUP = 5, 10
MEMBERS_PER_BLOC = 9
BATCH = 5_000
PASSWORD = "bench12345"  # noqa: S105 -- generated benchmark accounts only


def batched(rows: Iterable, size: int = BATCH) -> Iterable[list]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = "Write a generated national-scale dataset (S=1: 2,200 blocs, ~20 M scores)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.1, help="1 = national (default 0.1)")
        parser.add_argument("--force", action="store_true", help="even if organizations exist")
        parser.add_argument(
            "--reuse", action="store_true", help="keep a database that has data (make bench)"
        )

    def handle(
        self, *args: object, scale: float, force: bool, reuse: bool, **options: object
    ) -> None:
        if not 0 < scale <= 2:
            raise CommandError("--scale must be in (0, 2].")
        if reuse and Organization.objects.exists():
            self.stdout.write("The database has data already: kept as it is (--reuse).")
            return
        if Organization.objects.exists() and not force:
            raise CommandError(
                "This database already has organizations; generate into an empty one "
                "(or pass --force to add to it)."
            )
        self.started = time.monotonic()
        counts = {k: max(1, round(v * scale)) for k, v in NATIONAL.items()}
        counts["provinces"] = min(NATIONAL["provinces"], max(1, counts["provinces"]))
        last = current_year()
        self.years = list(range(last - YEARS + 1, last + 1))
        with transaction.atomic():
            provinces = self.provinces(counts["provinces"])
            orgs = self.organizations(counts["organizations"])
            self.officials(orgs)
            blocs = self.blocs(counts["blocs"], provinces)
            members = self.memberships(blocs, orgs)
            self.chair_terms(members)
            self.meetings(members)
            pledges = self.pledges(blocs)
            self.criteria(pledges)
            self.sheets(pledges, members)
        self.scores()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.say(f"done in {time.monotonic() - self.started:.0f} s")

    # Output ---------------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f} s] {message}")
        self.stdout.flush()

    def insert(self, model: type, rows: Iterable, label: str) -> None:
        total = 0
        for chunk in batched(rows):
            model.objects.bulk_create(chunk, batch_size=BATCH)
            total += len(chunk)
        self.say(f"{total:>10,} {label}")

    # Rows ---------------------------------------------------------------------------------

    def provinces(self, n: int) -> list[Organization]:
        rows = [
            Organization(
                name=f"Ủy ban MTTQ Việt Nam tỉnh {i:02d}",
                short_name=f"UBMTTQ tỉnh {i:02d}",
                abbreviation=f"MTTQ{i:02d}",
                kind=Organization.Kind.FRONT,
                level=Organization.Level.PROVINCE,
                locality=f"Tỉnh {i:02d}",
                search_name=fold(f"Ủy ban MTTQ Việt Nam tỉnh {i:02d}"),
                sort_name=sort_key(f"Ủy ban MTTQ Việt Nam tỉnh {i:02d}")[:1200],
            )
            for i in range(1, n + 1)
        ]
        self.insert(Organization, rows, "provinces (organizing bodies)")
        return list(Organization.objects.filter(kind=Organization.Kind.FRONT).order_by("pk"))

    def organizations(self, n: int) -> list[Organization]:
        kinds = [k for k in Organization.Kind.values if k != Organization.Kind.FRONT]

        def rows():
            for i in range(1, n + 1):
                name = f"Đơn vị {i:05d} thành phố"
                yield Organization(
                    name=name,
                    short_name=f"Đơn vị {i:05d}",
                    abbreviation=f"DV{i:05d}",
                    kind=kinds[i % len(kinds)],
                    level=Organization.Level.PROVINCE,
                    search_name=fold(f"{name} Đơn vị {i:05d} DV{i:05d}"),
                    sort_name=sort_key(name)[:1200],
                )

        self.insert(Organization, rows(), "organizations")
        return list(Organization.objects.exclude(kind=Organization.Kind.FRONT).order_by("pk"))

    def officials(self, orgs: Sequence[Organization]) -> None:
        user_model = get_user_model()
        password = make_password(PASSWORD)
        users = (
            user_model(
                username=f"dv{org.pk}",
                password=password,
                first_name="Cán bộ",
                last_name=f"{org.pk}",
                email=f"dv{org.pk}@example.invalid",
            )
            for org in orgs
        )
        self.insert(user_model, users, "officials' accounts")
        by_name = dict(
            user_model.objects.filter(username__startswith="dv").values_list("username", "pk")
        )
        rows = (Official(user_id=by_name[f"dv{org.pk}"], organization=org) for org in orgs)
        self.insert(Official, rows, "officials")

    def blocs(self, n: int, provinces: Sequence[Organization]) -> list[Bloc]:
        def rows():
            for i in range(1, n + 1):
                kind = Bloc.Kind.KHOI if i % 3 else Bloc.Kind.CUM
                name = f"{'Khối' if kind == Bloc.Kind.KHOI else 'Cụm'} thi đua {i:04d}"
                yield Bloc(
                    name=name,
                    kind=kind,
                    number=str(i),
                    organizing_body=provinces[i % len(provinces)],
                    search_name=fold(name),
                    sort_name=sort_key(name)[:1200],
                )

        # (bulk_create skips save(): the derived search and sort keys are written here.)
        self.insert(Bloc, rows(), "blocs")
        return list(Bloc.objects.order_by("pk"))

    def memberships(self, blocs: Sequence[Bloc], orgs: Sequence[Organization]) -> dict:
        """Each bloc takes the next MEMBERS_PER_BLOC organizations (round the list)."""
        members: dict[int, list[Organization]] = {}
        cycle = itertools.cycle(orgs)
        for bloc in blocs:
            chosen: list[Organization] = []
            while len(chosen) < min(MEMBERS_PER_BLOC, len(orgs)):
                org = next(cycle)
                if org not in chosen:
                    chosen.append(org)
            members[bloc.pk] = chosen
        rows = (
            Membership(
                bloc_id=bloc_id, organization=org, first_year=self.years[0], rotation_order=i
            )
            for bloc_id, chosen in members.items()
            for i, org in enumerate(chosen, start=1)
        )
        self.insert(Membership, rows, "memberships")
        return members

    def chair_terms(self, members: dict) -> None:
        rows = (
            ChairTerm(
                bloc_id=bloc_id,
                year=year,
                chair=chosen[n % len(chosen)],
                deputy=chosen[(n + 1) % len(chosen)] if len(chosen) > 1 else None,
            )
            for bloc_id, chosen in members.items()
            for n, year in enumerate(self.years)
        )
        self.insert(ChairTerm, rows, "chair terms")

    def meetings(self, members: dict) -> None:
        tz = timezone.get_current_timezone()
        now = timezone.now()
        plan = [
            (Meeting.Kind.LAUNCH, 2, "Hội nghị ký kết giao ước thi đua"),
            (Meeting.Kind.MID_YEAR, 7, "Hội nghị sơ kết 6 tháng"),
            (Meeting.Kind.YEAR_END, 12, "Hội nghị tổng kết công tác thi đua"),
            (Meeting.Kind.CROSS_INSPECTION, 10, "Kiểm tra chéo"),
        ]

        def rows():
            for n, (bloc_id, chosen) in enumerate(members.items()):
                for year in self.years:
                    # About 3.5 a year: the cross-inspection every other year.
                    for kind, month, title in plan[: 4 if (n + year) % 2 else 3]:
                        starts = datetime(year, month, 10 + n % 15, 8, 0, tzinfo=tz)
                        status = Meeting.Status.APPROVED if starts < now else Meeting.Status.PLANNED
                        yield Meeting(
                            bloc_id=bloc_id,
                            year=year,
                            kind=kind,
                            title=f"{title} năm {year}",
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=3),
                            place="Hội trường đơn vị chủ trì",
                            host=chosen[0],
                            status=status,
                        )

        self.insert(Meeting, rows(), "meetings")

    def pledges(self, blocs: Sequence[Bloc]) -> list[Pledge]:
        last = self.years[-1]
        rows = (
            Pledge(
                bloc=bloc,
                year=year,
                title=f"Giao ước thi đua năm {year}",
                status=Pledge.Status.SCORING if year == last else Pledge.Status.CLOSED,
            )
            for bloc in blocs
            for year in self.years
        )
        self.insert(Pledge, rows, "pledges")
        return list(Pledge.objects.order_by("pk").only("pk", "bloc_id", "year"))

    def criteria(self, pledges: Sequence[Pledge]) -> None:
        group_points = Decimal(100) / GROUPS
        leaf_points = group_points / CRITERIA_PER_GROUP
        groups = (
            Criterion(
                pledge_id=pledge.pk,
                order=g,
                code=str(g),
                text=f"Nhóm tiêu chí {g}",
                max_points=group_points,
            )
            for pledge in pledges
            for g in range(1, GROUPS + 1)
        )
        self.insert(Criterion, groups, "criteria groups")
        parents = Criterion.objects.filter(parent__isnull=True).values_list(
            "pk", "pledge_id", "order"
        )
        leaves = (
            Criterion(
                pledge_id=pledge_id,
                parent_id=parent_id,
                order=c,
                code=f"{order}.{c}",
                text=f"Tiêu chí {order}.{c}",
                max_points=leaf_points,
            )
            for parent_id, pledge_id, order in parents.iterator()
            for c in range(1, CRITERIA_PER_GROUP + 1)
        )
        self.insert(Criterion, leaves, "criteria")

    def sheets(self, pledges: Sequence[Pledge], members: dict) -> None:
        submitted = timezone.now()
        rows = (
            ScoreSheet(
                pledge_id=pledge.pk,
                organization=org,
                round=round_,
                status=ScoreSheet.Status.SUBMITTED,
                submitted_at=submitted,
            )
            for pledge in pledges
            for org in members[pledge.bloc_id]
            for round_ in (ScoreSheet.Round.SELF, ScoreSheet.Round.VERIFIED)
        )
        self.insert(ScoreSheet, rows, "score sheets")

    def scores(self) -> None:
        """A score per sheet and leaf criterion, computed by the database in batches of
        pledges (each its own transaction: 20 M rows never sit in one)."""
        score = ScoreSheet._meta.get_field("scores").related_model
        table, sheets, criteria = (
            score._meta.db_table,
            ScoreSheet._meta.db_table,
            Criterion._meta.db_table,
        )
        # Deterministic points between 50% and 100% of the criterion's maximum.
        sql = f"""
            INSERT INTO {table} (sheet_id, criterion_id, points, bonus, explanation, version,
                                 updated_at)
            SELECT s.id, c.id,
                   CAST(c.max_points * (50 + (s.id * 7 + c.id * 13) %% 51) / 100.0
                        AS DECIMAL(6, 2)),
                   0, '', 1, CURRENT_TIMESTAMP
            FROM {sheets} s
            JOIN {criteria} c ON c.pledge_id = s.pledge_id AND c.parent_id IS NOT NULL
            WHERE s.pledge_id >= %s AND s.pledge_id < %s
        """  # noqa: S608 -- table names from the models, bounds as parameters
        bounds = Pledge.objects.order_by("pk").values_list("pk", flat=True)
        ids = list(bounds)
        total = 0
        step = 200
        for start in range(0, len(ids), step):
            low, high = ids[start], ids[min(start + step, len(ids)) - 1] + 1
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [low, high])
                total += max(cursor.rowcount, 0)
            if start // step % 10 == 0 or start + step >= len(ids):
                self.say(f"{total:>10,} scores ({min(start + step, len(ids))}/{len(ids)} pledges)")

"""Time the two big grids in process: `manage.py bench_grids [--runs N]`.

Run it on a generated dataset (`manage.py generate_scale`). It signs in (in process, no
server) a member official and the secretariat of the first bloc being scored this year and
renders the self-scoring page (the member's sheet made a draft for the run, so that it
renders as the member fills it in; rolled back afterwards) and the verification grid N times
each. Per page it prints the
median and best CPU time of the whole request, the share spent rendering the page's template,
the page size and the number of leaf criteria and members, so that a change to the grid
templates can be measured before and after. Figures are printed, never asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.template.backends.django import Template
from django.test import Client
from django.urls import reverse

from blocs.models import ChairTerm, Membership, Official
from pledges.models import Criterion, Pledge, ScoreSheet
from portal.lib.dates import current_year


class _TemplateTimer:
    """Adds up the CPU time of the outermost template renders while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.depth = 0
        self.original: Callable[..., Any] = Template.render

    def __enter__(self) -> _TemplateTimer:
        timer, original = self, self.original

        def render(template: Template, *args: Any, **kwargs: Any) -> Any:
            timer.depth += 1
            started = time.process_time()
            try:
                return original(template, *args, **kwargs)
            finally:
                timer.depth -= 1
                if timer.depth == 0:
                    timer.seconds += time.process_time() - started

        Template.render = render  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Template.render = self.original  # type: ignore[method-assign]


class Command(BaseCommand):
    help = "Render the self-scoring page and the verification grid N times; print CPU times."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20, help="renders per page (default 20)")

    def handle(self, *args: object, runs: int, **options: object) -> None:
        with transaction.atomic():
            self.measure(runs)
            transaction.set_rollback(True)

    def measure(self, runs: int) -> None:
        pledge = (
            Pledge.objects.filter(year=current_year(), status=Pledge.Status.SCORING)
            .select_related("bloc")
            .order_by("pk")
            .first()
        )
        if pledge is None:
            raise CommandError("No pledge is being scored this year: run generate_scale first.")
        term = ChairTerm.objects.get(bloc=pledge.bloc, year=pledge.year)
        members = list(Membership.objects.filter(bloc=pledge.bloc).active_in(pledge.year))
        member_org = next(m.organization for m in members if m.organization_id != term.chair_id)
        member = Official.objects.filter(organization=member_org).select_related("user").first()
        secretary = Official.objects.filter(organization=term.chair).select_related("user").first()
        if member is None or secretary is None:
            raise CommandError("The bloc has no officials to sign in as.")
        ScoreSheet.objects.filter(
            pledge=pledge, organization=member_org, round=ScoreSheet.Round.SELF
        ).update(status=ScoreSheet.Status.DRAFT, submitted_at=None)
        leaves = Criterion.objects.filter(pledge=pledge, children__isnull=True).count()
        self.stdout.write(f"pledge {pledge.pk}: {len(members)} members × {leaves} criteria")
        header = f"{'page':<20}{'median ms':>10}{'best ms':>9}{'template':>10}{'KiB':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        pages = {
            "self-score": (member.user, reverse("pledges:self_score", args=[pledge.pk])),
            "verification grid": (secretary.user, reverse("pledges:verify", args=[pledge.pk])),
        }
        for name, (user, path) in pages.items():
            client = Client(SERVER_NAME="localhost", HTTP_ACCEPT_LANGUAGE="vi")
            client.force_login(user)
            for _ in range(3):  # imports, template loading, caches
                client.get(path)
            totals, shares, size = [], [], 0
            for _ in range(runs):
                with _TemplateTimer() as timer:
                    started = time.process_time()
                    response = client.get(path)
                    total = time.process_time() - started
                if response.status_code != 200:
                    raise CommandError(f"{name}: HTTP {response.status_code}")
                totals.append(total)
                shares.append(timer.seconds / total if total else 0.0)
                size = len(response.content)
            line = f"{name:<20}{statistics.median(totals) * 1000:>10.1f}"
            line += f"{min(totals) * 1000:>9.1f}{statistics.median(shares):>10.0%}"
            line += f"{size / 1024:>7.0f}"
            self.stdout.write(line)

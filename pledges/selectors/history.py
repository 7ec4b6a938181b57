"""The "Lịch sử" page of a bloc's year: every change to the bloc, its chair term, and that
year's pledge, meetings, score sheets, scores and bonus/penalty lines, newest first.

The versions of the different models are listed by one UNION of (date, id, source) over
their history tables, paginated in the database; then, for each source on the page, one
query reads its versions (with their author and the id of each one's previous version) and
one its previous versions. The query count depends on the sources, not on the rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields import CharField

from blocs.models import Bloc, ChairTerm, Meeting
from portal.lib.history import ReadableRecord, readable_records

from ..models import Adjustment, Pledge, Score, ScoreSheet

PER_PAGE = 50


@dataclass(frozen=True)
class Source:
    model: type[Model]
    # the fields that name what a version is of ("Biên bản họp: Hội nghị sơ kết")
    subject_fields: tuple[str, ...]


SOURCES: dict[str, Source] = {
    "bloc": Source(Bloc, ("name",)),
    "chair_term": Source(ChairTerm, ("chair",)),
    "pledge": Source(Pledge, ("title",)),
    "meeting": Source(Meeting, ("title",)),
    "sheet": Source(ScoreSheet, ("organization", "round")),
    "score": Source(Score, ("criterion",)),
    "adjustment": Source(Adjustment, ("organization", "kind")),
}


def _versions(source: str, bloc: Bloc, year: int) -> QuerySet:
    history = SOURCES[source].model.history  # type: ignore[attr-defined]
    pledges = Pledge.objects.filter(bloc=bloc, year=year).values("pk")
    if source == "bloc":
        return history.filter(id=bloc.pk)
    if source in ("chair_term", "pledge", "meeting"):
        return history.filter(bloc_id=bloc.pk, year=year)
    if source in ("sheet", "adjustment"):
        return history.filter(pledge_id__in=pledges)
    sheets = ScoreSheet.objects.filter(pledge__in=pledges).values("pk")
    return history.filter(sheet_id__in=sheets)


def _listing(bloc: Bloc, year: int) -> QuerySet:
    parts = [
        _versions(name, bloc, year)
        .annotate(source=Value(name, output_field=CharField()))
        .values("history_date", "history_id", "source")
        .order_by()
        for name in SOURCES
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


def history_page(bloc: Bloc, year: int, page_number: str | int | None) -> Page:
    """One page of the year's history; `page.entries` holds its `ReadableRecord`s."""
    page = Paginator(_listing(bloc, year), PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["source"], []).append(row["history_id"])
    found: dict[tuple[str, int], tuple[object, object | None]] = {}
    for name, ids in wanted.items():
        history = SOURCES[name].model.history  # type: ignore[attr-defined]
        previous_id = (
            history.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        records = list(
            history.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=Subquery(previous_id))
        )
        older = history.filter(history_id__in=[r.previous_id for r in records if r.previous_id])
        previous = {r.history_id: r for r in older}
        for record in records:
            found[(name, record.history_id)] = (record, previous.get(record.previous_id))
    pairs = [found[(row["source"], row["history_id"])] for row in rows]
    subjects = {SOURCES[row["source"]].model: SOURCES[row["source"]].subject_fields for row in rows}
    page.entries = readable_records(pairs, subject_fields=subjects)  # type: ignore[attr-defined]
    return page


def entries_of(page: Page) -> list[ReadableRecord]:
    return page.entries  # type: ignore[attr-defined]

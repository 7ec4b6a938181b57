"""Where a page's database time goes: `manage.py bench_pages --explain`.

Each page is requested once in this process as its benchmark user (warm: a first request
fills the caches a worker would have), its queries are timed, and the slowest ones are run
again under EXPLAIN (ANALYZE, BUFFERS), so that a page over its budget shows whether SQL is
the cause and which plan node costs what. Read-only: EXPLAIN ANALYZE of a SELECT changes
nothing, and only SELECTs are explained.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client


@dataclass
class Timed:
    ms: float
    sql: str
    params: tuple


@dataclass
class PageQueries:
    name: str
    status: int
    wall_ms: float
    queries: list[Timed]

    @property
    def sql_ms(self) -> float:
        return sum(q.ms for q in self.queries)


def page_queries(name: str, username: str, path: str) -> PageQueries:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    client.get(path)  # warm
    timed: list[Timed] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            timed.append(Timed(elapsed, sql, tuple(params or ())))

    started = time.perf_counter()
    with connection.execute_wrapper(record):
        response = client.get(path)
    wall = (time.perf_counter() - started) * 1000
    return PageQueries(name, response.status_code, wall, timed)


def explain(query: Timed) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query.sql}", query.params)
        return [row[0] for row in cursor.fetchall()]


def explain_pages(
    pages: Iterable[tuple[str, str, str]], write: Callable[[str], None], *, slowest: int = 2
) -> None:
    """For each (name, username, path): the page's time and SQL time in process, then the
    plans of its `slowest` SELECTs."""
    if connection.vendor != "postgresql":
        write("EXPLAIN ANALYZE needs PostgreSQL: skipped.")
        return
    for name, username, path in pages:
        found = page_queries(name, username, path)
        write(
            f"\n## {name}: HTTP {found.status}, {found.wall_ms:.1f} ms in process, "
            f"{len(found.queries)} queries, {found.sql_ms:.1f} ms of SQL"
        )
        selects = [q for q in found.queries if q.sql.lstrip().upper().startswith("SELECT")]
        for query in sorted(selects, key=lambda q: q.ms, reverse=True)[:slowest]:
            write(f"-- {query.ms:.2f} ms: {query.sql[:160]}…")
            for line in explain(query):
                write(f"   {line}")

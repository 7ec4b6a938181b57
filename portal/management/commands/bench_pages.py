"""Time every key page under load: `manage.py bench_pages` (`make bench` runs it).

It starts gunicorn (3 sync workers, as in production) with `portal.bench.settings` on a free
loopback port, signs in a member official, a secretariat official and an admin, and sends
each page a bounded number of requests, first one at a time, then from 20 concurrent users.
Per page and concurrency it prints the server time (p50, p95: measured inside the server by
the benchmark middleware, so the client's own cost is not in it), requests per second seen by
the client, queries per request, and the throughput as a share of a bare template view served
by the same gunicorn in the same run. Figures are printed, never asserted. The server runs
as a deployment does (`production_env`: DEBUG off, connections kept).

Run it on a generated dataset (`manage.py generate_scale`); it picks its users and objects
from the data: the first bloc with a pledge being scored this year.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from blocs.models import ChairTerm, Meeting, Membership, Official
from pledges.models import Pledge
from portal.lib.dates import current_year

ADMIN_USERNAME = "benchadmin"
ADMIN_PASSWORD = "bench-admin-12345"  # noqa: S105 -- a generated benchmark account only
OFFICIAL_PASSWORD = "bench12345"  # noqa: S105 -- set by generate_scale


@dataclass
class Session:
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def take(self, response: http.client.HTTPResponse) -> None:
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value


@dataclass
class Sample:
    status: int
    server_ms: float
    queries: int


class Client:
    def __init__(self, port: int):
        self.port = port

    def request(
        self, session: Session, method: str, path: str, body: str | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": session.header(), "Accept-Language": "vi"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        session.take(response)
        connection.close()
        return response, content

    def login(self, username: str, password: str) -> Session:
        session = Session()
        path = reverse("login")
        _response, page = self.request(session, "GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise CommandError("the login page has no CSRF token")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": username}
        form["password"] = password
        response, _ = self.request(session, "POST", path, urlencode(form))
        if response.status != 302 or "sessionid" not in session.cookies:
            raise CommandError(f"could not sign in as {username} (HTTP {response.status})")
        return session

    def sample(self, session: Session, path: str) -> Sample:
        response, _ = self.request(session, "GET", path)
        return Sample(
            status=response.status,
            server_ms=float(response.headers.get("X-Bench-Ms", "nan")),
            queries=int(response.headers.get("X-Bench-Queries", "-1")),
        )


def production_env() -> dict[str, str]:
    """The server's environment as a deployment sets it (.env.example): DEBUG off and
    database connections kept between requests. A developer's defaults (DEBUG on, a new
    connection per request) cost several milliseconds a request that production never
    pays, and would hide what the pages themselves cost."""
    return {
        "DEBUG": "false",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(50),  # this run's only
        # Plain HTTP on loopback, and the benchmark sends no mail.
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_CONSOLE_ALLOWED": "true",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Time the key pages under gunicorn at 1 and 20 concurrent users (prints a table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", default="1,20", help="concurrency levels (default 1,20)")
        parser.add_argument("--requests", type=int, default=20, help="requests per user level")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
        parser.add_argument(
            "--explain",
            action="store_true",
            help="no load: each page once in process, with EXPLAIN ANALYZE of its slowest queries",
        )

    def handle(
        self, *args: object, users: str, requests: int, workers: int, explain: bool, **opts
    ) -> None:
        levels = [int(u) for u in users.split(",") if u.strip()]
        pages = self.pages()
        if explain:
            self.explain(pages)
            return
        port = _free_port()
        server = self.start(port, workers)
        try:
            client = Client(port)
            sessions = {
                "member": client.login(pages.pop("_member"), OFFICIAL_PASSWORD),
                "secretariat": client.login(pages.pop("_secretariat"), OFFICIAL_PASSWORD),
                "admin": client.login(ADMIN_USERNAME, ADMIN_PASSWORD),
            }
            self.table(client, sessions, pages, levels, requests, workers)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()

    def explain(self, pages: dict) -> None:
        from portal.bench.explain import explain_pages

        usernames = {
            "member": pages.pop("_member"),
            "secretariat": pages.pop("_secretariat"),
            "admin": ADMIN_USERNAME,
        }
        rows = [
            (name, usernames[role], path)
            for name, (role, path) in pages.items()
            if not name.startswith("bare")  # served by the benchmark's URLs only
        ]
        explain_pages(rows, self.stdout.write)

    # What to measure ------------------------------------------------------------------------

    def pages(self) -> dict:
        year = current_year()
        pledge = (
            Pledge.objects.filter(year=year, status=Pledge.Status.SCORING)
            .select_related("bloc")
            .order_by("pk")
            .first()
        )
        if pledge is None:
            raise CommandError("No pledge is being scored this year: run generate_scale first.")
        bloc = pledge.bloc
        term = ChairTerm.objects.get(bloc=bloc, year=year)
        members = Membership.objects.filter(bloc=bloc).active_in(year).order_by("rotation_order")
        member_org = next(m.organization for m in members if m.organization_id != term.chair_id)
        member = Official.objects.filter(organization=member_org).select_related("user").first()
        secretary = Official.objects.filter(organization=term.chair).select_related("user").first()
        meeting = Meeting.objects.filter(bloc=bloc).order_by("-starts_at").first()
        admin = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            get_user_model().objects.create_superuser(
                ADMIN_USERNAME, "benchadmin@example.invalid", ADMIN_PASSWORD
            )
        return {
            "_member": member.user.username,
            "_secretariat": secretary.user.username,
            # Served by portal.bench.urls only (this process runs the product's URLs).
            "bare view (baseline)": ("member", "/bench/bare/"),
            "dashboard (member)": ("member", reverse("home")),
            "dashboard (secretariat)": ("secretariat", reverse("home")),
            "dashboard (admin)": ("admin", reverse("home")),
            "bloc list": ("member", reverse("blocs:bloc_list")),
            "bloc detail": ("member", reverse("blocs:bloc_detail", args=[bloc.pk])),
            "search": ("member", reverse("blocs:search") + "?q=don+vi"),
            "meeting list": ("member", reverse("blocs:meeting_list", args=[bloc.pk])),
            "meeting detail": ("member", reverse("blocs:meeting_detail", args=[meeting.pk])),
            "pledge detail": ("member", reverse("pledges:pledge_detail", args=[pledge.pk])),
            "self-score": ("member", reverse("pledges:self_score", args=[pledge.pk])),
            "verification grid": ("secretariat", reverse("pledges:verify", args=[pledge.pk])),
            "results": ("member", reverse("pledges:results", args=[pledge.pk])),
            "report list": ("secretariat", reverse("reports:report_list", args=[bloc.pk])),
            "admin: organizations": ("admin", reverse("admin:blocs_organization_changelist")),
            "admin: memberships": ("admin", reverse("admin:blocs_membership_changelist")),
            "admin: meetings": ("admin", reverse("admin:blocs_meeting_changelist")),
            "admin: scores": ("admin", reverse("admin:pledges_score_changelist")),
        }

    # The server -----------------------------------------------------------------------------

    def start(self, port: int, workers: int) -> subprocess.Popen:
        base = Path(settings.BASE_DIR)
        env = {**os.environ, **production_env(), "DJANGO_SETTINGS_MODULE": "portal.bench.settings"}
        # DEBUG off serves hashed static names from the manifest: collect it first.
        subprocess.run(  # noqa: S603 -- our own interpreter and arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=base,
            env=env,
            check=True,
        )
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--no-control-socket", "--log-level", "warning"]
        log = open(base / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 -- the child's log
        server = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
            command, cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("gunicorn did not start: see var/bench-gunicorn.log")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server
            except OSError:
                time.sleep(0.3)
        server.kill()
        raise CommandError("gunicorn did not answer within 60 s")

    # The load -------------------------------------------------------------------------------

    def run(self, client: Client, session: Session, path: str, users: int, total: int):
        samples: list[Sample] = []
        lock = threading.Lock()
        remaining = [total]

        def user() -> None:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                sample = client.sample(session, path)
                with lock:
                    samples.append(sample)

        threads = [threading.Thread(target=user) for _ in range(users)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return samples, len(samples) / (time.perf_counter() - started)

    def table(self, client, sessions, pages, levels, requests, workers) -> None:
        import psycopg

        self.stdout.write(f"psycopg implementation: {psycopg.pq.__impl__}")
        header = f"{'page':<26}{'users':>6}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"
        header += f"{'queries':>9}{'vs bare':>9}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        bare_rps: dict[int, float] = {}
        for name, (role, path) in pages.items():
            session = sessions[role]
            # Warm every worker (imports, templates, caches): requests one after another
            # may all reach the same worker, and a cold one would show in the 1-user p95.
            self.run(client, session, path, users=workers, total=3 * workers)
            for users in levels:
                total = max(requests, requests * users // 2)
                samples, rps = self.run(client, session, path, users, total)
                bad = sorted({s.status for s in samples if s.status != 200})
                times = [s.server_ms for s in samples]
                queries = statistics.median(s.queries for s in samples)
                if name.startswith("bare"):
                    bare_rps[users] = rps
                ratio = rps / bare_rps[users] if bare_rps.get(users) else float("nan")
                line = f"{name:<26}{users:>6}{_percentile(times, 0.5):>9.1f}"
                line += f"{_percentile(times, 0.95):>9.1f}{rps:>8.1f}{queries:>9.0f}"
                line += f"{ratio:>8.0%}" + (f"  HTTP {bad}" if bad else "")
                self.stdout.write(line)
                self.stdout.flush()

"""Time the year-end report of a 6-, 30- and 200-member bloc: gather + HTML + PDF, and the
DOCX built from the same HTML (its own column: the worker builds both).

    python manage.py bench_reports [--sizes 6 30 200] [--repeat 3] [--no-first-build]

Each bloc is seeded inside a transaction that is rolled back at the end, so the database
is left as it was. The process first prepares itself as a report worker does when it starts
(reports.tasks.preload_renderer), then each size is built `--repeat` times. Printed:

- the wall time (median, min, max), pages, PDF size, DOCX time, peak memory, as before;
- CPU (process time, medians): the whole build (gather + HTML + PDF) and the PDF alone
  (WeasyPrint: layout and writing), per report and per page, beside WeasyPrint rendering
  a plain table document of as many pages in the same process (`plain_table_html`): the
  ratio says how much dearer a page of the report is than a page of a bare table;
- the first build in a fresh process (a new `python manage.py bench_reports --child …`, as
  a worker process is new), without and with the preload, wall and CPU, beside the second
  build of that process; the data is gathered here and handed over as JSON (what the worker
  renders is that same data).

Targets (2 cores): 6 members < 1.5 s, 30 < 2.5 s, 200 < 15 s, peak < 400 MB; a warm
30-member PDF <= 0.5 s of CPU; a first build no dearer than the second. Figures are printed,
never asserted: the machine's load moves them (read the min column on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from blocs.models import (
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    MeetingDecision,
    MeetingPerson,
    Membership,
    Organization,
)
from portal.lib.text import fold

KINDS = [
    ("Hội Liên hiệp Phụ nữ", "HLHPN", Organization.Kind.WOMEN),
    ("Liên đoàn Lao động", "LĐLĐ", Organization.Kind.LABOUR),
    ("Đoàn Thanh niên", "ĐTN", Organization.Kind.YOUTH),
    ("Hội Nông dân", "HND", Organization.Kind.FARMERS),
    ("Hội Cựu chiến binh", "HCCB", Organization.Kind.VETERANS),
    ("Ủy ban MTTQ Việt Nam", "MTTQ", Organization.Kind.FRONT),
]
PLACES = ["Lê Chân", "Ngô Quyền", "Hồng Bàng", "Kiến An", "Hải An", "Đồ Sơn", "Thủy Nguyên"]
GROUPS = [
    ("I", "Công tác tuyên truyền, vận động", [("I.1", 10), ("I.2", 15)]),
    ("II", "Thực hiện nhiệm vụ chuyên môn", [("II.1", 20), ("II.2", 20)]),
    ("III", "Công tác xây dựng tổ chức", [("III.1", 10), ("III.2", 10)]),
    ("IV", "Công tác thi đua, khen thưởng", [("IV.1", 15)]),
]
NARRATIVE = (
    "Năm {year}, trong bối cảnh còn nhiều khó khăn, các đơn vị thành viên đã chủ động, sáng "
    "tạo triển khai các nội dung giao ước thi đua, gắn với nhiệm vụ chính trị của từng đơn vị."
)


def _when(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def seed_year(members: int, *, year: int = 2020, tag: str = "", rng_seed: int = 5):
    """A bloc with `members` members and a complete year: chair terms, three meetings
    (attendance of every member), a pledge with criteria, verified scores, adjustments, a
    ballot, proposals and a year-end draft. Returns the draft. Rows are created directly
    (bulk where it matters), so it stays quick for hundreds of members."""
    from pledges.models import (
        Adjustment,
        Ballot,
        BallotCandidate,
        Criterion,
        EmulationTitle,
        Pledge,
        PledgeItem,
        PledgeSignature,
        Proposal,
        Score,
        ScoreSheet,
    )
    from reports.models import DocumentStyle, ReportDraft

    rng = random.Random(rng_seed)  # noqa: S311 - made-up scores, not secrets
    tag = tag or f"{members}-{rng.randrange(10**6)}"
    parent = Organization.objects.create(
        name=f"Ủy ban MTTQ Việt Nam thành phố Hải Phòng ({tag})",
        short_name="UBMTTQ TP",
        abbreviation="MTTQ",
        kind=Organization.Kind.FRONT,
    )
    bloc = Bloc.objects.create(
        name=f"Khối thi đua Mặt trận Tổ quốc và các tổ chức chính trị - xã hội ({tag})",
        locality="Hải Phòng",
        organizing_body=parent,
    )
    orgs = []
    for i in range(members):
        kind_name, abbr, kind = KINDS[i % len(KINDS)]
        place = PLACES[(i // len(KINDS)) % len(PLACES)]
        name = f"{kind_name} quận {place} số {i + 1} ({tag})"
        orgs.append(
            Organization(
                name=name,
                short_name=f"{abbr} {place} {i + 1}",
                abbreviation=f"{abbr}{i + 1}",
                kind=kind,
                locality="Hải Phòng",
                head_name="Vũ Thị Bích Liên" if i == 0 else f"Nguyễn Văn {i + 1}",
                search_name=fold(name),
            )
        )
    orgs = Organization.objects.bulk_create(orgs)
    Membership.objects.bulk_create(
        Membership(bloc=bloc, organization=o, first_year=year - 2, rotation_order=i + 1)
        for i, o in enumerate(orgs)
    )
    ChairTerm.objects.create(bloc=bloc, year=year, chair=orgs[0], deputy=orgs[1 % members])
    meetings = {}
    for kind, month, day, title in [
        (Meeting.Kind.LAUNCH, 2, 12, f"Hội nghị phát động thi đua và ký kết giao ước năm {year}"),
        (Meeting.Kind.MID_YEAR, 7, 1, f"Hội nghị sơ kết công tác thi đua 6 tháng đầu năm {year}"),
        (Meeting.Kind.YEAR_END, 12, 29, f"Hội nghị tổng kết công tác thi đua năm {year}"),
    ]:
        meetings[kind] = Meeting.objects.create(
            bloc=bloc,
            year=year,
            kind=kind,
            title=title,
            starts_at=_when(year, month, day, 8, 30),
            ends_at=_when(year, month, day, 11, 15),
            place="Hội trường Ủy ban MTTQ Việt Nam thành phố Hải Phòng",
            host=orgs[0],
            status=Meeting.Status.HELD,
            minutes="Hội nghị đã nghe báo cáo và thảo luận.\nCác đơn vị thống nhất nội dung.",
            conclusions="Đồng chí chủ trì kết luận và giao nhiệm vụ cho các đơn vị.",
        )
    review = meetings[Meeting.Kind.YEAR_END]
    next_term = ChairTerm.objects.create(
        bloc=bloc,
        year=year + 1,
        chair=orgs[2 % members] if members > 2 else orgs[1 % members],
        deputy=orgs[3 % members] if members > 3 else None,
        method=ChairTerm.Method.ELECTION,
        elected_at=review,
    )
    MeetingDecision.objects.create(
        meeting=review,
        kind=MeetingDecision.Kind.ELECTION,
        year=year + 1,
        organization=next_term.chair,
        deputy=next_term.deputy,
        chair_term=next_term,
    )
    for meeting in meetings.values():
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                organization=o,
                status=Attendance.Status.PRESENT if i % 9 else Attendance.Status.EXCUSED,
                representative=f"Nguyễn Thị Hồng {i + 1}",
                representative_position="Phó Chủ tịch",
            )
            for i, o in enumerate(orgs)
        )
        MeetingPerson.objects.bulk_create(
            [
                MeetingPerson(
                    meeting=meeting,
                    role=MeetingPerson.Role.PRESIDING,
                    name="Vũ Thị Bích Liên",
                    position="Chủ tịch Hội LHPN thành phố",
                ),
                MeetingPerson(
                    meeting=meeting,
                    role=MeetingPerson.Role.SECRETARY,
                    name="Trần Thu Hà",
                    position="Chuyên viên",
                ),
                MeetingPerson(
                    meeting=meeting,
                    role=MeetingPerson.Role.GUEST,
                    name="Nguyễn Thị Minh Phương",
                    position="Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam thành phố",
                ),
            ]
        )
        meeting.agenda.create(
            order=1, title="Báo cáo kết quả công tác thi đua", presenter="Trưởng khối"
        )
        meeting.agenda.create(order=2, title="Thảo luận", outcome="Các đại biểu thống nhất.")

    pledge = Pledge.objects.create(
        bloc=bloc,
        year=year,
        title=f"Giao ước thi đua năm {year}",
        status=Pledge.Status.SCORING,
        legal_basis=(
            "Căn cứ Luật Thi đua, khen thưởng năm 2022\n"
            f"Căn cứ Quy chế hoạt động của Khối thi đua năm {year}"
        ),
        classification_bands=[
            {"name": "Hoàn thành xuất sắc nhiệm vụ", "min": 90},
            {"name": "Hoàn thành tốt nhiệm vụ", "min": 75},
            {"name": "Hoàn thành nhiệm vụ", "min": 50},
        ],
        tie_break_order=["base_points", "penalty"],
        bonus_cap=Decimal("5"),
        penalty_cap=Decimal("5"),
        launch_meeting=meetings[Meeting.Kind.LAUNCH],
        review_meeting=review,
    )
    PledgeItem.objects.bulk_create(
        PledgeItem(pledge=pledge, order=i, text=text)
        for i, text in enumerate(
            [
                "Đẩy mạnh công tác tuyên truyền, vận động đoàn viên, hội viên.",
                "Thực hiện tốt các cuộc vận động và phong trào thi đua.",
                "Tham gia xây dựng Đảng, chính quyền trong sạch, vững mạnh.",
                "Chăm lo đời sống, bảo vệ quyền lợi hợp pháp của đoàn viên, hội viên.",
                "Thực hiện tốt công tác an sinh xã hội.",
            ]
        )
    )
    leaves = []
    for order, (code, text, children) in enumerate(GROUPS):
        group = Criterion.objects.create(
            pledge=pledge,
            code=code,
            text=text,
            order=order,
            max_points=sum(points for _, points in children),
        )
        for child_order, (child_code, points) in enumerate(children):
            leaves.append(
                Criterion.objects.create(
                    pledge=pledge,
                    parent=group,
                    code=child_code,
                    text=f"Tiêu chí {child_code}",
                    order=child_order,
                    max_points=points,
                    bonus_cap=Decimal("2") if child_order == 0 else None,
                )
            )
    sheets = ScoreSheet.objects.bulk_create(
        ScoreSheet(
            pledge=pledge,
            organization=o,
            round=ScoreSheet.Round.VERIFIED,
            status=ScoreSheet.Status.SUBMITTED,
        )
        for o in orgs
    )
    Score.objects.bulk_create(
        Score(
            sheet=sheet,
            criterion=leaf,
            points=Decimal(rng.randint(int(leaf.max_points) * 60, int(leaf.max_points) * 100))
            / 100,
            bonus=Decimal(rng.choice([0, 0, 1])) if leaf.bonus_cap else Decimal(0),
        )
        for sheet in sheets
        for leaf in leaves
    )
    Adjustment.objects.bulk_create(
        Adjustment(
            pledge=pledge,
            organization=o,
            kind=Adjustment.Kind.PENALTY if i % 2 else Adjustment.Kind.BONUS,
            points=Decimal("0.5"),
            reason="Nộp báo cáo chậm" if i % 2 else "Mô hình hay",
        )
        for i, o in enumerate(orgs[: max(1, members // 5)])
    )
    PledgeSignature.objects.bulk_create(
        PledgeSignature(
            pledge=pledge,
            organization=o,
            signer_name=f"Nguyễn Văn {i + 1}",
            signer_position="Chủ tịch",
            signed_at=meetings[Meeting.Kind.LAUNCH].starts_at,
            meeting=meetings[Meeting.Kind.LAUNCH],
        )
        for i, o in enumerate(orgs)
    )
    from pledges.ranking import compute_results

    ranked = compute_results(pledge).members
    present = sum(1 for i in range(members) if i % 9)
    ballot = Ballot.objects.create(
        pledge=pledge,
        meeting=review,
        purpose=Ballot.Purpose.LEADING,
        title="Bỏ phiếu suy tôn đơn vị dẫn đầu Khối",
        members_total=members,
        present=present,
        issued=present,
        returned=present,
        valid=present,
        invalid=0,
        tellers="Trần Thu Hà (Trưởng ban)\nLê Văn Nam",
    )
    top = [m.organization for m in ranked[: min(3, members)]]
    votes = [present, max(0, present // 3), max(0, present // 5)]
    BallotCandidate.objects.bulk_create(
        BallotCandidate(ballot=ballot, organization=o, votes=v)
        for o, v in zip(top, votes, strict=False)
    )
    flag, _ = EmulationTitle.objects.get_or_create(
        code="co-thi-dua-tp",
        defaults={
            "name": "Cờ thi đua của Ủy ban nhân dân thành phố",
            "kind": EmulationTitle.Kind.COMMENDATION,
            "level": EmulationTitle.Level.PROVINCE,
            "awarded_by": "Chủ tịch UBND thành phố",
        },
    )
    merit, _ = EmulationTitle.objects.get_or_create(
        code="bang-khen-tp",
        defaults={
            "name": "Bằng khen của Chủ tịch UBND thành phố",
            "kind": EmulationTitle.Kind.COMMENDATION,
            "level": EmulationTitle.Level.PROVINCE,
            "awarded_by": "Chủ tịch UBND thành phố",
        },
    )
    Proposal.objects.create(
        pledge=pledge,
        organization=top[0],
        title=flag,
        ballot=ballot,
        achievements="Dẫn đầu Khối thi đua năm " + str(year),
    )
    for org in top[1:]:
        Proposal.objects.create(pledge=pledge, organization=org, title=merit)
    style = DocumentStyle.objects.filter(is_default=True).first() or DocumentStyle.objects.create(
        name="Nghị định 30/2020/NĐ-CP", code=f"nd30-{tag}", is_default=False
    )
    return ReportDraft.objects.create(
        bloc=bloc,
        year=year,
        kind=ReportDraft.Kind.YEAR_END,
        issuer=orgs[0],
        parent_body=parent.name.split(" (")[0].upper(),
        issuer_title="KHỐI THI ĐUA MTTQ VÀ CÁC TỔ CHỨC CT-XH THÀNH PHỐ",
        style=style,
        place="Hải Phòng",
        issue_date=_when(year, 12, 29).date(),
        situation=NARRATIVE.format(year=year),
        results="Các đơn vị đã hoàn thành tốt các chỉ tiêu.\nNhiều mô hình hay được nhân rộng.",
        shortcomings="Một số đơn vị gửi báo cáo chậm.",
        causes="Do ảnh hưởng của dịch bệnh.",
        lessons="Cần phát huy vai trò của Trưởng khối.",
        directions=f"Tiếp tục đẩy mạnh phong trào thi đua năm {year + 1}.",
        recommendations="Đề nghị Hội đồng Thi đua - Khen thưởng thành phố xem xét.",
        signer_name="Vũ Thị Bích Liên",
        signer_position="TRƯỞNG KHỐI",
        sign_mode="TM. KHỐI THI ĐUA",
        recipients="Hội đồng Thi đua - Khen thưởng thành phố\nCác đơn vị thành viên Khối\nLưu: VT",
    )


def build(draft: Any) -> dict:
    """One full build of the draft: gather, HTML, PDF (wall and CPU, and the PDF's own CPU);
    then the DOCX of the same HTML, timed on its own."""
    from reports.documents import gather_for_draft, render_html
    from reports.docx_builder import html_to_docx
    from reports.rendering import html_to_pdf

    start, cpu = time.perf_counter(), time.process_time()
    data = gather_for_draft(draft)
    html = render_html(None, data)
    pdf_cpu = time.process_time()
    rendered = html_to_pdf(html)
    end_cpu = time.process_time()
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    html_to_docx(html)
    return {
        "seconds": seconds,
        "cpu": end_cpu - cpu,
        "pdf_cpu": end_cpu - pdf_cpu,
        "pages": rendered.page_count,
        "bytes": len(rendered.pdf),
        "docx": time.perf_counter() - start,
        "html": html,
    }


PLAIN_ROWS_PER_PAGE = 32


def plain_table_html(pages: int) -> str:
    """A plain document of `pages` A4 pages, each a bare 6-column table of short text (one
    line a row): what WeasyPrint does for a page with no design at all."""
    rows = "".join(
        f"<tr><td>{i}</td><td>Đơn vị thành viên số {i}</td><td>{i * 3},50</td>"
        f"<td>{i * 2},25</td><td>{i},00</td><td>Hoàn thành</td></tr>"
        for i in range(1, PLAIN_ROWS_PER_PAGE + 1)
    )
    page = f"<section><table>{rows}</table></section>"
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 20mm 15mm 20mm 30mm; }"
        'html { font-family: "Liberation Serif", serif; font-size: 12pt; }'
        "section + section { break-before: page; }"
        "table { width: 100%; border-collapse: collapse; }"
        "td { border: 0.5pt solid #000; padding: 2pt 3pt; }"
        "</style></head><body>" + page * pages + "</body></html>"
    )


def plain_table_cpu(pages: int, repeat: int) -> tuple[float, int]:
    """(median CPU seconds, pages) of the plain table document of `pages` pages."""
    from reports.rendering import html_to_pdf

    html = plain_table_html(pages)
    times, made = [], 0
    for _ in range(repeat):
        cpu = time.process_time()
        made = html_to_pdf(html).page_count
        times.append(time.process_time() - cpu)
    return statistics.median(times), made


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def child_builds(data_file: str, *, preload: bool) -> dict:
    """In a fresh process (the --child run): optionally the worker's preload, then two
    builds of the data as the worker makes them (HTML, PDF, DOCX). Wall and CPU of each."""
    from reports import tasks  # what a worker imports (its tasks) before any build

    with open(data_file, encoding="utf-8") as handle:
        data = json.load(handle)
    figures: dict[str, tuple[float, float] | None] = {"preload": None}
    if preload:
        start = _clock()
        tasks.preload_renderer()
        figures["preload"] = _since(start)
    for name in ("first", "second"):
        start = _clock()
        _worker_build(data)
        figures[name] = _since(start)
    return figures


def _worker_build(data: dict) -> None:
    from reports.documents import render_html
    from reports.docx_builder import html_to_docx
    from reports.rendering import html_to_pdf

    html = render_html(None, data)
    html_to_pdf(html)
    html_to_docx(html)


def first_builds(draft: Any) -> dict[str, dict]:
    """{"no preload": figures, "preload": figures} from two fresh processes."""
    from reports.documents import gather_for_draft

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        data_file = os.path.join(folder, "data.json")
        with open(data_file, "w", encoding="utf-8") as handle:
            json.dump(gather_for_draft(draft), handle, ensure_ascii=False)
        manage = str(settings.BASE_DIR / "manage.py")
        for label, flag in (("no preload", []), ("preload", ["--preload"])):
            command = [sys.executable, manage, "bench_reports", "--child", data_file, *flag]
            done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
            results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time the year-end report build (gather + HTML + PDF, and the DOCX) for blocs of "
        "several sizes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", nargs="+", type=int, default=[6, 30, 200])
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument(
            "--no-first-build", action="store_true", help="skip the fresh-process builds"
        )
        # Internal: the fresh process of the first-build figures.
        parser.add_argument("--child", help=argparse.SUPPRESS)
        parser.add_argument("--preload", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, sizes, repeat, no_first_build=False, child=None, **options):
        if child:
            figures = child_builds(child, preload=options["preload"])
            self.stdout.write(json.dumps(figures))
            return
        from reports.tasks import preload_renderer

        preload_renderer()  # as a worker process does when it starts
        rows, first = [], {}
        try:
            with transaction.atomic():
                warm = seed_year(3, tag="warm-up")
                build(warm)
                for size in sizes:
                    t0 = time.perf_counter()
                    draft = seed_year(size)
                    seeded = time.perf_counter() - t0
                    runs = [build(draft) for _ in range(repeat)]
                    pages = runs[-1]["pages"]
                    plain_cpu, plain_pages = plain_table_cpu(pages, repeat)
                    rows.append({"size": size, "seeded": seeded, "runs": runs,
                                 "plain_cpu": plain_cpu, "plain_pages": plain_pages})  # fmt: skip
                    if size == 30 and not no_first_build:
                        first = first_builds(draft)
                raise _Rollback
        except _Rollback:
            pass
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out = self.stdout.write
        out(
            f"{'members':>7} {'median s':>9} {'min s':>6} {'max s':>6} {'pages':>5} "
            f"{'PDF KB':>7} {'DOCX s':>6} {'seed s':>6}"
        )
        for row in rows:
            times = [r["seconds"] for r in row["runs"]]
            last = row["runs"][-1]
            out(
                f"{row['size']:>7} {statistics.median(times):>9.2f} {min(times):>6.2f} "
                f"{max(times):>6.2f} {last['pages']:>5} {last['bytes'] / 1024:>7.0f} "
                f"{statistics.median(r['docx'] for r in row['runs']):>6.2f} "
                f"{row['seeded']:>6.2f}"
            )
        out("")
        out("CPU (process time; median, min): the build (gather + HTML + PDF) and the PDF alone,")
        out("per report and per page, beside a plain table document of as many pages:")
        out(
            f"{'members':>7} {'build s':>8} {'PDF s':>6} {'PDF min':>7} {'pages':>5} "
            f"{'ms/page':>7} {'plain ms/page':>13} {'ratio':>6}"
        )
        for row in rows:
            pdf = statistics.median(r["pdf_cpu"] for r in row["runs"])
            pages = row["runs"][-1]["pages"]
            plain_page = row["plain_cpu"] / max(row["plain_pages"], 1)
            out(
                f"{row['size']:>7} {statistics.median(r['cpu'] for r in row['runs']):>8.2f} "
                f"{pdf:>6.2f} {min(r['pdf_cpu'] for r in row['runs']):>7.2f} {pages:>5} "
                f"{1000 * pdf / pages:>7.0f} {1000 * plain_page:>13.0f} "
                f"{pdf / pages / plain_page:>6.2f}"
            )
        if first:
            out("")
            out("The 30-member build (HTML + PDF + DOCX) in a fresh process, wall / CPU seconds:")
            out(f"{'':>11} {'preload':>13} {'first build':>13} {'second build':>13}")
            for label, figures in first.items():
                cells = [
                    f"{figures[k][0]:.2f} / {figures[k][1]:.2f}" if figures[k] else "—"
                    for k in ("preload", "first", "second")
                ]
                out(f"{label:>11} {cells[0]:>13} {cells[1]:>13} {cells[2]:>13}")
        out(f"peak memory (ru_maxrss): {peak_mb:.0f} MB; repeats: {repeat}")

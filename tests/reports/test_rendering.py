"""The PDFs themselves, read back with poppler-utils (pdftotext, pdfinfo, pdffonts).

Each document is seeded and built once per module (inside a transaction rolled back at
the end). Without poppler-utils the PDF checks are skipped with the reason printed, except
under CI=true, where a missing tool is a failure (CI installs poppler-utils).
"""

import os
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.db import transaction

from blocs.models import Meeting
from reports.documents import gather_for_draft, render_html
from reports.management.commands.bench_reports import seed_year
from reports.models import DocumentStyle, ReportDraft
from reports.rendering import RefusedURL, font_config, html_to_pdf, url_fetcher

TOOLS = ("pdftotext", "pdfinfo", "pdffonts")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
if MISSING and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(f"CI needs poppler-utils: {MISSING} not found")
needs_poppler = pytest.mark.skipif(
    bool(MISSING), reason=f"poppler-utils not installed ({', '.join(MISSING)} missing)"
)

A4 = (595.3, 841.9)
# Marked so that pytest-django creates the test database the module fixture seeds.
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """{name: path} of the year-end report (number allocated), its minutes, the pledge and
    the year-end report in the Youth Union style, all from one 6-member bloc."""
    folder = tmp_path_factory.mktemp("pdfs")
    paths = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                draft = seed_year(6, tag="pdf")
                draft.symbol = "05/BC-HLHPN1"
                review = draft.bloc.meetings.get(kind=Meeting.Kind.YEAR_END)
                common = {"bloc": draft.bloc, "year": 2020, "issuer": draft.issuer}
                drafts = {
                    "year_end": draft,
                    "minutes": ReportDraft.objects.create(
                        kind="minutes",
                        meeting=review,
                        style=draft.style,
                        issue_date=date(2020, 12, 29),
                        place="Hải Phòng",
                        parent_body=draft.parent_body,
                        **common,
                    ),
                    "pledge": ReportDraft.objects.create(
                        kind="pledge", style=draft.style, issue_date=date(2020, 2, 12), **common
                    ),
                    "youth": ReportDraft(
                        kind="year_end",
                        style=DocumentStyle.objects.get(code="youth"),
                        issuer_title="BAN CHẤP HÀNH THÀNH ĐOÀN HẢI PHÒNG",
                        place="Hải Phòng",
                        issue_date=date(2021, 1, 5),
                        **common,
                    ),
                }
                for name, d in drafts.items():
                    # As issued (number and date printed); a draft's blank number and date
                    # are tests/reports/test_issuing.py.
                    d.status = ReportDraft.Status.ISSUED
                    rendered = html_to_pdf(render_html(None, gather_for_draft(d)))
                    path = folder / f"{name}.pdf"
                    path.write_bytes(rendered.pdf)
                    paths[name] = (path, rendered.page_count)
                raise _Rollback
        except _Rollback:
            pass
    return paths


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def text(path, *, first=None, last=None, layout=True, crop=None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    if crop:  # x, y, width, height in points (72 dpi)
        x, y, w, h = crop
        args += ["-r", "72", "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    return _run(*args, str(path), "-")


def flat(value: str) -> str:
    return re.sub(r"\s+", " ", value)


def page_sizes(path) -> list[tuple[float, float]]:
    out = _run("pdfinfo", "-f", "1", "-l", "999", str(path))
    return [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    ]


# Year-end report ----------------------------------------------------------------------------


@needs_poppler
def test_year_end_header_and_title(pdfs):
    path, _ = pdfs["year_end"]
    page1 = text(path, first=1)
    for expected in (
        "ỦY BAN MTTQ VIỆT NAM",
        "KHỐI THI ĐUA MTTQ VÀ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hải Phòng, ngày 29 tháng 12 năm 2020",
        "Số: 05/BC-HLHPN1",
        "BÁO CÁO",
        "Tổng kết công tác thi đua, khen thưởng năm 2020",
        "Căn cứ Luật Thi đua, khen thưởng năm 2022;",
    ):
        assert expected in page1, expected
    # The header grid: issuer on the left, motto on the right of the same lines.
    first_line = next(line for line in page1.splitlines() if "CỘNG HÒA" in line)
    assert first_line.index("ỦY BAN MTTQ") < first_line.index("CỘNG HÒA")


@needs_poppler
def test_year_end_pages_a4_with_a_landscape_appendix(pdfs):
    path, page_count = pdfs["year_end"]
    sizes = page_sizes(path)
    assert len(sizes) == page_count >= 4
    portrait = [s for s in sizes if s[0] < s[1]]
    landscape = [s for s in sizes if s[0] > s[1]]
    assert portrait and landscape
    for w, h in portrait:
        assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1
    for w, h in landscape:
        assert abs(w - A4[1]) <= 1 and abs(h - A4[0]) <= 1
    appendix_page = sizes.index(landscape[0]) + 1
    assert "Phụ lục 1" in text(path, first=appendix_page)


@needs_poppler
def test_year_end_page_numbers_from_page_two_in_the_top_margin(pdfs):
    path, _ = pdfs["year_end"]
    top = (0, 0, 595, 50)  # the top margin is 20 mm = 57 pt
    assert text(path, first=1, crop=top, layout=False).strip() == ""
    assert text(path, first=2, crop=top, layout=False).strip() == "2"
    assert text(path, first=3, crop=top, layout=False).strip() == "3"


@needs_poppler
def test_year_end_fonts_embedded(pdfs):
    path, _ = pdfs["year_end"]
    rows = [line.split() for line in _run("pdffonts", str(path)).splitlines()[2:]]
    assert rows
    names = {row[0].split("+")[-1] for row in rows}
    assert {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"} <= names
    for row in rows:
        assert row[-5] == "yes", row  # emb
        assert "Liberation" in row[0], row  # no fallback font anywhere


@needs_poppler
def test_year_end_numbers_and_ranking_order(pdfs):
    path, _ = pdfs["year_end"]
    body = flat(text(path))
    assert "Phụ lục 1" in body and "BẢNG TỔNG HỢP ĐIỂM THI ĐUA VÀ XẾP HẠNG NĂM 2020" in body
    assert re.search(r"\b\d{2},\d{2}\b", body)  # 95,50 style
    assert not re.search(r"\b\d{2}\.\d{2}\b", body)  # never 95.50
    sizes = page_sizes(path)
    first_landscape = next(i for i, (w, h) in enumerate(sizes, start=1) if w > h)
    appendix = flat(text(path, first=first_landscape, layout=False))
    names = re.findall(r"quận [^\s]+(?: [^\s]+)? số (\d) \(pdf\)", appendix)
    # Each row's total comes before its rank (1-6) and last year's rank or classification.
    rows = text(path, first=first_landscape, layout=True).splitlines()
    totals = [
        float(m.group(1).replace(",", "."))
        for line in rows
        if re.match(r"^\s*\d\s+\S", line)
        and (m := re.search(r"(\d{2},\d{2})\s+\d\s+(?:Hoàn|\S)", line))
    ]
    assert names, appendix
    assert len(totals) == 6, rows
    assert totals == sorted(totals, reverse=True)
    assert "Hoàn thành" in appendix


@needs_poppler
def test_year_end_signature_and_recipients_side_by_side(pdfs):
    path, page_count = pdfs["year_end"]
    for page in range(1, page_count + 1):
        content = text(path, first=page)
        if "Nơi nhận:" in content:
            break
    line = next(x for x in content.splitlines() if "Nơi nhận:" in x)
    assert "TM. KHỐI THI ĐUA" in line  # same level
    assert line.index("Nơi nhận:") < line.index("TM. KHỐI THI ĐUA")
    assert "- Lưu: VT." in content
    assert "Vũ Thị Bích Liên" in content


@needs_poppler
def test_youth_union_header(pdfs):
    path, _ = pdfs["youth"]
    page1 = text(path, first=1)
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in page1
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in page1
    assert "BAN CHẤP HÀNH THÀNH" in page1
    assert "Hải Phòng, ngày 05 tháng 01 năm 2021" in page1
    assert re.search(r"Số:\s+-BC/HLHPN1", page1)


# Minutes and pledge -------------------------------------------------------------------------


@needs_poppler
def test_minutes_with_ballot_section(pdfs):
    path, _ = pdfs["minutes"]
    body = flat(text(path))
    for expected in (
        "BIÊN BẢN",
        "Hội nghị tổng kết công tác thi đua năm 2020",
        "Thời gian bắt đầu: 8 giờ 30, ngày 29 tháng 12 năm 2020",
        "Địa điểm:",
        "có mặt 5/6 đơn vị",
        "Vắng có lý do",
        "Chủ trì (chủ tọa): Vũ Thị Bích Liên",
        "Thư ký (người ghi biên bản): Trần Thu Hà",
        "Kết quả bỏ phiếu",
        "số phiếu phát ra: 5; số phiếu thu về: 5; hợp lệ: 5; không hợp lệ: 0",
        "83,33",
        "Quyết định của hội nghị",
        "Cuộc họp kết thúc vào 11 giờ 15, ngày 29 tháng 12 năm 2020/.",
        "THƯ KÝ",
        "CHỦ TỌA",
        "Số: ",
        "/BB-HLHPN1",
    ):
        assert expected in body, expected


@needs_poppler
def test_pledge_signature_grid(pdfs):
    path, _ = pdfs["pledge"]
    body = flat(text(path))
    assert "GIAO ƯỚC THI ĐUA" in body
    assert "Hải Phòng, ngày 12 tháng 02 năm 2020" in body
    assert "1. Đẩy mạnh công tác tuyên truyền" in body
    assert body.count("(Ký, đóng dấu)") == 6
    for i in range(1, 7):
        assert f"Nguyễn Văn {i}" in body


# The renderer -------------------------------------------------------------------------------


def test_one_font_configuration_for_every_build():
    assert font_config() is font_config()


def _page_images(pdf: bytes, folder) -> list[bytes]:
    folder.mkdir()
    (folder / "document.pdf").write_bytes(pdf)
    _run("pdftoppm", "-r", "100", "-png", str(folder / "document.pdf"), str(folder / "page"))
    return [page.read_bytes() for page in sorted(folder.glob("page-*.png"))]


# What the renderer leaves to stock WeasyPrint and the automatic table layout, for the check
# that its shortcuts (reports.rendering.user_agent_css, the fixed layout of the header and
# signature tables in pdf.css, the frame a build starts in) change nothing on the page.
AUTOMATIC_LAYOUT = "<style>table.doc-header, table.signing { table-layout: auto; }</style></head>"


@needs_poppler
def test_the_renderers_shortcuts_change_no_pixel_of_a_document(tmp_path):
    from weasyprint import HTML

    from reports.rendering import BASE_URL, user_agent_css

    css = user_agent_css()
    assert "::footnote-call" not in css and "li::marker" in css
    with transaction.atomic():
        draft = seed_year(6, tag="pixels")
        pledge = ReportDraft.objects.create(
            kind="pledge", bloc=draft.bloc, year=2020, issuer=draft.issuer, style=draft.style
        )
        for name, d in (("year_end", draft), ("pledge", pledge)):
            html = render_html(None, gather_for_draft(d))
            stock = HTML(
                string=html.replace("</head>", AUTOMATIC_LAYOUT, 1),
                base_url=BASE_URL,
                url_fetcher=url_fetcher(),
            ).write_pdf(font_config=font_config())
            expected = _page_images(stock, tmp_path / f"{name}-stock")
            assert len(expected) >= 2, name
            assert _page_images(html_to_pdf(html).pdf, tmp_path / name) == expected, name
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/style.css",
        "https://portal.invalid/static/reports/pdf.css",  # not the renderer's origin
        "http://portal.invalid/static/../portal/settings.py",
        "http://portal.invalid/static/%2e%2e/portal/settings.py",
        "http://portal.invalid/media/reports/secret.pdf",
        "http://portal.invalid/static/reports/missing.css",
        "ftp://portal.invalid/static/reports/pdf.css",
        "data:text/html,<h1>x</h1>",
    ],
)
def test_url_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises((RefusedURL, ValueError)):
        url_fetcher().fetch(url)


def test_url_fetcher_serves_the_stylesheet_and_inline_images():
    response = url_fetcher().fetch("http://portal.invalid/static/reports/pdf.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    svg = url_fetcher().fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert svg.read() == b"<svg/>"


def test_document_asking_for_outside_resources_still_renders(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the renderer tried to open a URL")

    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="http://example.com/x.css"></head><body>'
        '<img src="file:///etc/hostname"><img src="/media/x.png"><p>Xin chào</p></body></html>'
    )
    rendered = html_to_pdf(html)
    assert rendered.page_count == 1
    assert rendered.pdf.startswith(b"%PDF")


def test_a_build_runs_in_a_frame_with_room_for_weasyprints_frames(monkeypatch):
    # reports.rendering.ROOMY_FRAME_SLOTS says why: the stylesheet is fetched mid-build, so
    # the frames above the fetch are the build's own.
    import sys

    from reports import rendering

    reserves: list[int] = []
    fetch_static = rendering._static_path

    def spy(url: str):
        frame, largest = sys._getframe(), 0
        while frame is not None:
            largest = max(largest, frame.f_code.co_stacksize)
            frame = frame.f_back
        reserves.append(largest)
        return fetch_static(url)

    monkeypatch.setattr(rendering, "_static_path", spy)
    html = '<html><head><link rel="stylesheet" href="/static/reports/pdf.css"></head><p>x</p>'
    assert html_to_pdf(html).page_count == 1
    assert reserves and min(reserves) >= rendering.ROOMY_FRAME_SLOTS

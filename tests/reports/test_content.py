"""What the data has is in the document, and nothing is wrong: read back from the PDFs
(pdftotext, pdftotext -bbox, pdfinfo) of the year-end report of a 6-member year (the demo's
shape) and of a richer year (12 members, ties, an unscored member, last year's ranks), a
mid-year report dated 15/07, and the pledge of 12 members.

Without poppler-utils the PDF checks are skipped with the reason printed, except under
CI=true, where a missing tool is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import pytest
from django.db import transaction

from reports.documents import gather_for_draft, render_html
from reports.models import ReportDraft
from reports.rendering import html_to_pdf

from .helpers import richer_year

TOOLS = ("pdftotext", "pdfinfo")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
if MISSING and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(f"CI needs poppler-utils: {MISSING} not found")
needs_poppler = pytest.mark.skipif(
    bool(MISSING), reason=f"poppler-utils not installed ({', '.join(MISSING)} missing)"
)
pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # points per millimetre
A4_WIDTH = 210 * MM
RIGHT_MARGIN = 15 * MM


class _Rollback(Exception):
    pass


def _build(draft, *, issue: bool = True) -> bytes:
    """The document as an office signs it: issued (numbered and dated), then printed; or,
    with `issue=False`, as its draft prints (blank number and date)."""
    from reports import issuing

    if not issue:
        return html_to_pdf(render_html(None, gather_for_draft(draft))).pdf
    draft.save()  # what the fixture set on the object, kept through the issue
    issuing.document_issue(
        draft=draft, issued_on=draft.issue_date or date(draft.year, 12, 29), build_now=False
    )
    draft.refresh_from_db()
    return html_to_pdf(render_html(None, gather_for_draft(draft))).pdf


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """{name: path}: the year-end, mid-year and pledge of the richer year."""
    folder = tmp_path_factory.mktemp("content")
    paths = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                draft = richer_year(12, tag="content")
                common = {"bloc": draft.bloc, "year": draft.year, "issuer": draft.issuer}
                drafts = {
                    "year_end": draft,
                    "mid_year": ReportDraft.objects.create(
                        kind="mid_year",
                        style=draft.style,
                        issue_date=date(draft.year, 7, 15),
                        place="Hải Phòng",
                        signer_name="Vũ Thị Bích Liên",
                        signer_position="TRƯỞNG KHỐI",
                        sign_mode="TM. KHỐI THI ĐUA",
                        strengths="Các đơn vị chủ động triển khai giao ước.",
                        shortcomings="Một số đơn vị báo cáo chậm.",
                        recipients="Ban Thường trực Ủy ban MTTQ Việt Nam thành phố (để b/c)\n"
                        "Các đơn vị thành viên Khối\nLưu: VT",
                        **common,
                    ),
                    "pledge": ReportDraft.objects.create(
                        kind="pledge",
                        style=draft.style,
                        issue_date=date(draft.year, 2, 12),
                        place="Hải Phòng",
                        recipients="Hội đồng Thi đua - Khen thưởng thành phố (để b/c)\nLưu: VT",
                        **common,
                    ),
                }
                draft.strengths = "Các đơn vị đoàn kết, chủ động, sáng tạo."
                draft.recipients = (
                    "Ban Thường trực Ủy ban MTTQ Việt Nam thành phố (để b/c)\n"
                    "Hội đồng Thi đua - Khen thưởng thành phố (để b/c)\n"
                    "Các đơn vị thành viên Khối\nLưu: VT"
                )
                for name, d in drafts.items():
                    path = folder / f"{name}.pdf"
                    path.write_bytes(_build(d))
                    paths[name] = path
                raise _Rollback
        except _Rollback:
            pass
    return paths


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def text(path, *, first=None, last=None, layout=False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return _run(*args, str(path), "-")


def pages(path) -> list[str]:
    """The text of each page."""
    return text(path).split("\f")[:-1]


def flat(value: str) -> str:
    return re.sub(r"\s+", " ", value)


class _Words(HTMLParser):
    """The words of `pdftotext -bbox` with their page and box."""

    def __init__(self):
        super().__init__()
        self.page = 0
        self.words: list[dict] = []
        self._word = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self.page += 1
            self.width = float(a["width"])
        elif tag == "word":
            self._word = {
                "page": self.page,
                "page_width": self.width,
                **{k: float(a[k]) for k in ("xmin", "ymin", "xmax", "ymax")},
                "text": "",
            }

    def handle_data(self, data):
        if self._word is not None:
            self._word["text"] += data

    def handle_endtag(self, tag):
        if tag == "word" and self._word is not None:
            self.words.append(self._word)
            self._word = None


def words(path) -> list[dict]:
    parser = _Words()
    parser.feed(_run("pdftotext", "-bbox", str(path), "-"))
    return parser.words


def page_sizes(path) -> list[tuple[float, float]]:
    out = _run("pdfinfo", "-f", "1", "-l", "999", str(path))
    return [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    ]


# The cut-off --------------------------------------------------------------------------------


@needs_poppler
def test_a_mid_year_report_dated_15_07_lists_only_what_happened_by_then(pdfs):
    body = flat(text(pdfs["mid_year"]))
    assert "Hải Phòng, ngày 15 tháng 7 năm 2020" in body
    assert "Trong 6 tháng đầu năm, Khối đã tổ chức 2 hội nghị" in body
    assert "12/02/2020" in body and "01/07/2020" in body
    assert "29/12/2020" not in body and "30/12/2020" not in body  # the year-end, the inspection


@needs_poppler
def test_a_planned_meeting_is_never_counted_as_held(pdfs):
    body = flat(text(pdfs["year_end"]))
    assert "Khối đã tổ chức 3 hội nghị, hoạt động chung" in body
    held = body[body.index("đã tổ chức 3 hội nghị") : body.index("Theo kế hoạch")]
    assert "Kiểm tra chéo" not in held and "(dự kiến)" not in held
    assert re.search(r"Theo kế hoạch, Khối sẽ tổ chức: - Kiểm tra chéo .* \(dự kiến\)\.", body)


# Phụ lục 1 ----------------------------------------------------------------------------------


def _appendix_1(path) -> str:
    found = [p for p in pages(path) if "BẢNG TỔNG HỢP ĐIỂM THI ĐUA" in p]
    assert found
    start = pages(path).index(found[0])
    return flat(" ".join(pages(path)[start : start + 3]))


@needs_poppler
def test_the_score_table_marks_the_tied_rows_and_explains_the_tie_break(pdfs):
    appendix = _appendix_1(pdfs["year_end"])
    assert "bằng điểm thì xét lần lượt: điểm tiêu chí, điểm trừ" in appendix.lower() or (
        "bằng điểm thì xét lần lượt:" in appendix
    )
    # Three members share the total: their rank cells carry (đồng hạng) and a note mark.
    assert appendix.count("(đồng hạng)") == 3
    for mark in ("(1)", "(2)", "(3)"):
        assert appendix.count(mark) >= 2  # in the row and before its note
    assert "Vẫn bằng điểm với" in appendix


@needs_poppler
def test_an_unscored_member_shows_a_dash_ranks_last_with_a_note(pdfs):
    appendix = _appendix_1(pdfs["year_end"])
    last = "Ủy ban MTTQ Việt Nam quận Ngô Quyền số 12 (content)"  # the 12th member
    assert last in appendix
    rows = [
        x
        for x in text(pdfs["year_end"], layout=True).splitlines()
        if x.strip().startswith("12 ") and "Ủy ban MTTQ Việt Nam quận" in x
    ]
    assert rows, "the row of the unscored member"
    cells = rows[0].split()
    assert cells.count("—") >= 9 and "Chưa" in cells  # points, totals and rank: “—”
    assert "0,00" not in rows[0]
    assert f"{last}: Chưa chấm điểm: xếp cuối bảng" in appendix
    body = flat(text(pdfs["year_end"], first=1, last=4))
    assert f"Chưa chấm điểm: {last} (xếp cuối bảng, không xếp loại)." in body
    # Listed after every scored member.
    assert appendix.index(last) > appendix.index("số 11 (content)")


@needs_poppler
def test_the_score_table_has_self_scores_adjustments_registrations_and_last_years_rank(pdfs):
    appendix = _appendix_1(pdfs["year_end"])
    for heading in ("Tự chấm", "thẩm", "năm 2019", "Đăng ký thi đua"):  # “Điểm thẩm định”
        assert heading in appendix, heading
    assert "Điểm thưởng, điểm trừ và lý do" in appendix
    assert "Nộp báo cáo chậm" in appendix and "Mô hình hay được nhân rộng" in appendix
    assert "Cờ thi đua của Ủy ban nhân dân thành phố" in appendix
    assert "Đăng ký thi đua và kết quả" in appendix
    assert "Phát triển hội viên mới: 100 hội viên" in appendix


@needs_poppler
def test_strengths_lead_the_general_assessment(pdfs):
    body = flat(text(pdfs["year_end"]))
    assert "1. Ưu điểm Các đơn vị đoàn kết, chủ động, sáng tạo." in body
    assert body.index("1. Ưu điểm") < body.index("2. Hạn chế, tồn tại")
    mid = flat(text(pdfs["mid_year"]))
    assert "1. Ưu điểm" in mid and "2. Hạn chế, tồn tại" in mid


# Layout -------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("name", ["year_end", "mid_year"])
def test_a_report_sent_to_the_council_says_to_whom(pdfs, name):
    page1 = flat(text(pdfs[name], first=1))
    assert re.search(r"Kính gửi: Ủy ban MTTQ Việt Nam thành phố Hải Phòng \(content\)\.", page1)


@needs_poppler
def test_the_pledge_has_no_kinh_gui(pdfs):
    assert "Kính gửi" not in text(pdfs["pledge"])


@needs_poppler
@pytest.mark.parametrize("name", ["year_end", "mid_year", "pledge"])
def test_no_page_holds_only_the_recipients_or_only_the_signature(pdfs, name):
    for content in pages(pdfs[name]):
        lines = [x.strip() for x in content.splitlines() if x.strip()]
        if not lines:
            continue
        body = [x for x in lines if not x.isdigit()]  # the page number
        if "Nơi nhận:" in content:
            # Something besides the recipients and the signer block is on that page.
            index = next(i for i, x in enumerate(body) if x.startswith("Nơi nhận"))
            assert index > 0, content
        assert not (body and body[0] in {"TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "Nơi nhận:"}), content


@needs_poppler
@pytest.mark.parametrize("name", ["year_end", "mid_year", "pledge"])
def test_de_b_c_stays_on_one_line(pdfs, name):
    content = text(pdfs[name], layout=True)
    assert "(để b/c)" in content or "(để\u00a0b/c)" in content
    assert not re.search(r"\(để\s*\n", content)


@needs_poppler
def test_table_headers_do_not_split_a_word(pdfs):
    for path in (pdfs["year_end"],):
        for line in text(path, layout=True).splitlines():
            assert not re.search(r"\bđồng\s*$", line.strip()) or "hạng" in line, line
        body = text(path, layout=True)
        assert not re.search(r"(^|\s)ý(\s|$)", body.replace("đồng ý", "")), "a lone “ý”"


@needs_poppler
def test_the_members_are_a_list_not_a_run_on_paragraph(pdfs):
    content = text(pdfs["year_end"], first=1, last=2, layout=True)
    numbers = [int(n) for n in re.findall(r"(?<!\S)(\d{1,2})\. (?=\S)", content)]
    assert set(range(1, 13)) <= set(numbers), content
    assert "(content); Liên đoàn" not in content  # never “A; B; C” in one paragraph


@needs_poppler
def test_each_appendix_numbers_its_own_pages(pdfs):
    path = pdfs["year_end"]
    texts = pages(path)
    starts = [i for i, p in enumerate(texts) if p.strip().startswith("Phụ lục ")]
    assert len(starts) == 3
    for number, start in enumerate(starts, start=1):
        end = starts[number] if number < len(starts) else len(texts)
        for offset in range(1, end - start):  # the appendix's second page shows 2, …
            top = text(path, first=start + offset + 1).strip().splitlines()[0]
            assert top == str(offset + 1), (number, offset, top)
        first_lines = texts[start].strip().splitlines()
        assert first_lines[0].startswith("Phụ lục"), first_lines[:2]  # no number on page 1


@needs_poppler
def test_no_landscape_page_holds_only_a_note(pdfs):
    path = pdfs["year_end"]
    sizes = page_sizes(path)
    for number, (w, h) in enumerate(sizes, start=1):
        if w > h:
            content = [x for x in text(path, first=number).splitlines() if x.strip()]
            assert len(content) > 4, content


@needs_poppler
@pytest.mark.parametrize("name", ["pledge", "year_end", "mid_year"])
def test_no_text_passes_the_right_margin(pdfs, name):
    for word in words(pdfs[name]):
        limit = word["page_width"] - RIGHT_MARGIN + 0.5
        assert word["xmax"] <= limit, word


# The header rule ----------------------------------------------------------------------------


@needs_poppler
def test_a_bloc_chaired_by_the_youth_union_prints_the_national_title_and_motto(db, tmp_path):
    from blocs.models import ChairTerm, Organization
    from reports import services

    draft = richer_year(6, tag="youth")
    youth = Organization.objects.filter(
        kind=Organization.Kind.YOUTH, memberships__bloc=draft.bloc
    ).first()
    ChairTerm.objects.filter(bloc=draft.bloc, year=draft.year).update(chair=youth)
    ReportDraft.objects.filter(pk=draft.pk).delete()
    draft = services.draft_get_or_create(bloc=draft.bloc, year=draft.year, kind="year_end")
    path = tmp_path / "bloc.pdf"
    path.write_bytes(_build(draft, issue=False))
    page1 = text(path, first=1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page1 and "Độc lập - Tự do - Hạnh phúc" in page1
    assert "ĐOÀN TNCS HỒ CHÍ MINH" not in page1
    assert "Trưởng khối năm 2020: Đoàn Thanh niên" in flat(text(path))
    # The Youth Union issuing in its own name keeps its own header.
    own = services.draft_update(
        draft=draft,
        issuer_title=youth.name,
        style=services.default_style(youth, in_own_name=True),
    )
    path.write_bytes(_build(own, issue=False))
    page1 = text(path, first=1)
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in page1
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in page1

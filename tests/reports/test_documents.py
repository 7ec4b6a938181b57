"""reports.documents: Vietnamese formats, the gathered data, query counts, the HTML."""

import json
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from blocs.models import Meeting
from reports import documents
from reports.documents import (
    gather,
    gather_for_draft,
    legal_basis_lines,
    place_date_line,
    recipient_lines,
    render_html,
    vn_date,
    vn_number,
)
from reports.management.commands.bench_reports import seed_year
from reports.models import DocumentStyle, Report, ReportDraft
from reports.xlsx import score_table_columns, score_table_xlsx

# Formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 15), "ngày 15 tháng 3 năm 2026"),
        (date(2026, 10, 1), "ngày 01 tháng 10 năm 2026"),
        (date(2020, 12, 29), "ngày 29 tháng 12 năm 2020"),
        (date(2021, 9, 9), "ngày 09 tháng 9 năm 2021"),
    ],
)
def test_vn_date_leading_zero_for_days_1_to_9_and_months_1_2(value, expected):
    assert vn_date(value) == expected


def test_place_date_line():
    assert place_date_line("Hải Phòng", date(2020, 12, 29)) == (
        "Hải Phòng, ngày 29 tháng 12 năm 2020"
    )
    blank = place_date_line("Hải Phòng", None)
    assert blank.startswith("Hải Phòng, ngày") and "tháng" in blank
    assert blank.endswith(" năm 20..")  # a draft's date line: written at issue
    assert not any(ch.isdigit() for ch in blank.removesuffix("20.."))


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("95.5"), 2, "95,50"),
        ("1234.5", 2, "1.234,50"),
        (0, 2, "0,00"),
        (Decimal("-2.005"), 2, "-2,01"),
        (Decimal("66.666"), 2, "66,67"),
        (1234567, 0, "1.234.567"),
        ("", 2, ""),
    ],
)
def test_vn_number(value, places, expected):
    assert vn_number(value, places) == expected


def test_legal_basis_lines_punctuation():
    text = "Căn cứ Luật Thi đua, khen thưởng;\n\n  Căn cứ Quy chế hoạt động của Khối.  \nCăn cứ X"
    assert legal_basis_lines(text) == [
        "Căn cứ Luật Thi đua, khen thưởng;",
        "Căn cứ Quy chế hoạt động của Khối;",
        "Căn cứ X.",
    ]


def test_recipient_lines_dash_semicolons_and_archive_last():
    assert recipient_lines("- Lưu: VT, VP\nHĐTĐKT thành phố;\n- Các đơn vị thành viên") == [
        "- HĐTĐKT thành phố;",
        "- Các đơn vị thành viên;",
        "- Lưu: VT, VP.",
    ]
    assert recipient_lines("") == ["- Lưu: VT."]


# Gathering ----------------------------------------------------------------------------------


@pytest.fixture
def year_end(db):
    return seed_year(6, tag="docs")


def test_year_end_data_is_plain_json(year_end):
    data = gather_for_draft(year_end)
    assert json.loads(json.dumps(data)) == data  # no Decimal, date or model left
    assert data["kind"] == "year_end"
    assert data["doc_type"] == "BÁO CÁO"
    # A draft: no date yet (it bears one when it is issued, tests/reports/test_issuing.py).
    assert data["header"]["place_date"] == place_date_line("Hải Phòng", None)
    assert data["header"]["draft"] is True
    assert data["header"]["parent_body"] == "ỦY BAN MTTQ VIỆT NAM THÀNH PHỐ HẢI PHÒNG"
    assert data["header"]["motto_line1"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert data["summary"][0] == "Tổng kết công tác thi đua, khen thưởng năm 2020"
    assert len(data["members"]) == 6
    assert data["chair"]["chair"]["name"] == year_end.issuer.name
    assert data["next_chair"]["chair"]["name"]  # elected at the year-end review
    assert [m["date"] for m in data["meetings"]] == ["12/02/2020", "01/07/2020", "29/12/2020"]
    assert data["legal_basis"][-1].endswith(".")
    assert data["recipients"][-1] == "- Lưu: VT."
    # As typed (the markup is rendered by the templates and the DOCX builder).
    assert data["sections"]["results"] == (
        "Các đơn vị đã hoàn thành tốt các chỉ tiêu.\nNhiều mô hình hay được nhân rộng."
    )


def test_year_end_results_ranked_with_groups_and_totals(year_end):
    results = gather_for_draft(year_end)["results"]
    assert [g["code"] for g in results["groups"]] == ["I", "II", "III", "IV"]
    assert results["max_total"] == "100.00"
    rows = results["rows"]
    totals = [Decimal(r["total"]) for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert [r["rank"] for r in rows] == list(range(1, 7))
    for r in rows:
        base = sum(Decimal(p) for p in r["group_points"])
        assert Decimal(r["base"]) == base
        assert Decimal(r["total"]) == base + Decimal(r["bonus"]) - Decimal(r["penalty"])
        assert r["classification"]
    average = Decimal(results["groups"][0]["average"])
    assert (
        Decimal(results["groups"][0]["lowest"])
        <= average
        <= Decimal(results["groups"][0]["highest"])
    )


def test_year_end_ballot_and_proposals(year_end):
    data = gather_for_draft(year_end)
    (ballot,) = data["ballots"]
    assert (ballot["members_total"], ballot["present"], ballot["valid"]) == (6, 5, 5)
    assert ballot["base"] == 6 and ballot["base_label"] == "tổng số đơn vị thành viên"
    first = ballot["candidates"][0]
    assert (first["votes"], first["ratio"], first["passed"], first["leading"]) == (
        5,
        "83.33",
        True,
        True,
    )
    assert first["name"] == data["results"]["rows"][0]["name"]
    assert [p["title"] for p in data["proposals"]][0] == "Bằng khen của Chủ tịch UBND thành phố"
    assert len(data["proposals"]) == 3


def test_number_blank_before_allocation_then_symbol(year_end):
    data = gather_for_draft(year_end)
    assert data["header"]["number"].startswith("Số: \u00a0")
    assert data["header"]["number"].endswith("/BC-HLHPN1")
    year_end.symbol = "05/BC-HLHPN1"
    assert gather_for_draft(year_end)["header"]["number"] == "Số: 05/BC-HLHPN1"


def test_gather_of_a_report_uses_its_draft(year_end):
    report = Report.objects.create(draft=year_end)
    assert gather(report) == gather_for_draft(year_end)


def test_unsaved_draft_for_the_live_preview(year_end):
    preview = ReportDraft(
        bloc=year_end.bloc, year=2020, kind=ReportDraft.Kind.MID_YEAR, situation="Mới viết"
    )
    data = gather_for_draft(preview)
    assert data["kind"] == "mid_year"
    assert data["header"]["style"] == "nd30"  # the default style
    assert data["header"]["issuer"] == year_end.bloc.name.upper()
    assert data["header"]["number"].endswith("/BC-HLHPN1")  # the chair of the year issues it
    assert data["sections"]["situation"] == "Mới viết"
    assert "results" not in data  # no ranking in a mid-year review
    # Undated, a mid-year report speaks of the first half only: not the 01/07 and 29/12
    # meetings (it once listed the year-end review).
    assert [m["date"] for m in data["meetings"]] == ["12/02/2020"]


def _queries(draft) -> int:
    with CaptureQueriesContext(connection) as ctx:
        gather_for_draft(draft)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["year_end", "mid_year", "minutes", "pledge"])
def test_gather_uses_a_fixed_number_of_queries(db, kind):
    counts = []
    for size in (6, 30):
        draft = seed_year(size, tag=f"q{kind}{size}")
        if kind != "year_end":
            meeting = draft.bloc.meetings.get(kind=Meeting.Kind.YEAR_END)
            draft = ReportDraft.objects.create(
                bloc=draft.bloc,
                year=2020,
                kind=kind,
                style=draft.style,
                issuer=draft.issuer,
                meeting=meeting if kind == "minutes" else None,
            )
        draft = ReportDraft.objects.get(pk=draft.pk)  # nothing cached
        counts.append(_queries(draft))
    assert counts[0] == counts[1], counts
    # The year-end minutes also read the pledge signatures made there (1), the ranking the
    # review approves (compute_results: 3) and the proposals it voted (1). The year-end's
    # score table adds self-scores, registrations (2), adjustment lines and last year's pledge
    # (+4 for its ranking when it was scored).
    assert counts[0] <= {"minutes": 20, "year_end": 21}.get(kind, 16)


def test_minutes_data(year_end):
    meeting = year_end.bloc.meetings.get(kind=Meeting.Kind.YEAR_END)
    draft = ReportDraft.objects.create(
        bloc=year_end.bloc, year=2020, kind="minutes", meeting=meeting, style=year_end.style
    )
    data = gather_for_draft(draft)
    assert data["doc_type"] == "BIÊN BẢN"
    assert data["summary"] == [meeting.title]
    assert data["meeting"]["starts"] == "8 giờ 30, ngày 29 tháng 12 năm 2020"
    assert data["meeting"]["ends"] == "11 giờ 15, ngày 29 tháng 12 năm 2020"
    assert (data["present"], data["members_total"]) == (5, 6)
    assert data["attendance"][0]["status_label"] == "Vắng có lý do"
    assert data["sign_presiding"] == "Vũ Thị Bích Liên"
    assert data["sign_secretary"] == "Trần Thu Hà"
    assert data["ballots"][0]["title"] == "Bỏ phiếu suy tôn đơn vị dẫn đầu Khối"
    assert data["decisions"][0]["term"]["year"] == 2021
    assert data["header"]["number"].endswith("/BB-HLHPN1")


def test_pledge_data(year_end):
    draft = ReportDraft.objects.create(
        bloc=year_end.bloc, year=2020, kind="pledge", style=year_end.style
    )
    data = gather_for_draft(draft)
    assert data["doc_type"] == "GIAO ƯỚC THI ĐUA"
    assert len(data["pledge"]["items"]) == 5
    assert [c["code"] for c in data["criteria"]][:3] == ["I", "I.1", "I.2"]
    assert [c["depth"] for c in data["criteria"]][:3] == [0, 1, 1]
    assert len(data["signatures"]) == 6
    assert data["signatures"][0]["signer"] == "Nguyễn Văn 1"
    assert data["header"]["number"].endswith("/GƯ-HLHPN1")


# HTML ---------------------------------------------------------------------------------------


def test_html_escapes_text_and_keeps_line_breaks_as_paragraphs(year_end):
    year_end.situation = "Dòng một <script>alert(1)</script>\nDòng hai & ba"
    html = render_html(None, gather_for_draft(year_end))
    assert "<script>" not in html
    assert "<p>Dòng một &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<p>Dòng hai &amp; ba</p>" in html


def test_html_sections_numbers_and_appendices(year_end):
    html = render_html(None, gather_for_draft(year_end))
    for heading in (
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2021",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        "Phụ lục 1",
        "Phụ lục 2",
        "Phụ lục 3",
    ):
        assert heading in html
    assert 'class="appendix appendix-scores"' in html  # its own landscape pages
    assert "data:image/svg+xml;base64," in html  # the group-points chart


def test_html_without_evaluation_renumbers(year_end):
    for name in ("shortcomings", "causes", "lessons"):
        setattr(year_end, name, "")
    html = render_html(None, gather_for_draft(year_end))
    assert "ĐÁNH GIÁ CHUNG" not in html
    assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2021" in html


def test_youth_style_header(year_end):
    year_end.style = DocumentStyle.objects.get(code="youth")
    data = gather_for_draft(year_end)
    assert data["header"]["style"] == "youth"
    assert data["header"]["number"].endswith("-BC/HLHPN1")
    html = render_html(None, data)
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in html
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in html


def test_template_version_is_set():
    assert documents.TEMPLATE_VERSION.startswith(f"{documents.SCHEMA}-")


# Spreadsheet --------------------------------------------------------------------------------


def test_score_table_xlsx_same_columns_and_order(year_end):
    data = gather_for_draft(year_end)
    book = load_workbook(BytesIO(score_table_xlsx(data)))
    sheet = book.active
    header = [c.value for c in sheet[4]]
    assert header == score_table_columns(data)
    assert header[:3] == ["STT", "Đơn vị", "I. Công tác tuyên truyền, vận động (tối đa 25,00)"]
    assert header[-6:] == [
        "Tổng điểm",
        "Xếp hạng",
        "Hạng năm trước",
        "Xếp loại",
        "Đăng ký thi đua",
        "Ghi chú",
    ]
    names = [sheet.cell(row, 2).value for row in range(5, 11)]
    assert names == [r["name"] for r in data["results"]["rows"]]
    rank = header.index("Xếp hạng") + 1
    assert sheet.cell(5, rank).value == 1  # a number, not "1"
    total = sheet.cell(5, header.index("Tổng điểm") + 1).value  # a number
    assert Decimal(str(total)) == Decimal(data["results"]["rows"][0]["total"])


def test_score_table_xlsx_none_without_scores(year_end):
    data = gather_for_draft(
        ReportDraft(bloc=year_end.bloc, year=2020, kind="mid_year", style=year_end.style)
    )
    assert score_table_xlsx(data) is None


def test_template_version_follows_the_docx_layout_and_the_markup(monkeypatch, tmp_path):
    before = documents._template_version()
    for code in documents._CODE_FILES:
        copy = tmp_path / code.name
        copy.write_bytes(code.read_bytes() + b"\n# changed\n")
        paths = [copy if p == code else p for p in documents._CODE_FILES]
        monkeypatch.setattr(documents, "_CODE_FILES", paths)
        assert documents._template_version() != before
        monkeypatch.undo()


def test_score_table_xlsx_writes_formula_like_texts_as_text(year_end):
    data = gather_for_draft(year_end)
    data["results"]["rows"][0]["name"] = '=HYPERLINK("http://x","y")'
    data["results"]["rows"][1]["name"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    sheet = load_workbook(BytesIO(score_table_xlsx(data))).active
    assert sheet.cell(5, 2).value == '=HYPERLINK("http://x","y")'
    assert sheet.cell(5, 2).data_type == "s"
    assert sheet.cell(6, 2).data_type == "s" and sheet.cell(6, 2).quotePrefix
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


# The member list ------------------------------------------------------------------------------


def _member_list(html: str):
    from lxml import html as lxml_html

    body = lxml_html.fromstring(html)
    return body.xpath("//table[@class='members-columns']"), body.xpath("//ol[@class='members']")


@pytest.mark.parametrize("size", [10, 13])
def test_a_long_member_list_is_two_columns_row_by_row_and_one_per_line_in_the_docx(db, size):
    from docx import Document

    from reports.docx_builder import html_to_docx

    data = gather_for_draft(seed_year(size, tag=f"cols-{size}"))
    names = [m["name"] for m in data["members"]]
    html = render_html(None, data)
    tables, lists = _member_list(html)
    if size == 10:  # short enough for one column: a plain numbered list
        assert not tables and [li.text_content() for li in lists[0]] == [
            f"{n}{'.' if i == size - 1 else ';'}" for i, n in enumerate(names)
        ]
    else:
        (table,) = tables
        assert not lists
        cells = [td.text_content() for tr in table.iter("tr") for td in tr.iter("td")]
        assert len(table.findall(".//tr")) == 7  # 13 in two columns: the last row half full
        # Row by row: 1, 2 / 3, 4 / ... / 13 and an empty cell pair.
        expected = []
        for i, name in enumerate(names, start=1):
            expected += [f"{i}.", f"{name}{'.' if i == size else ';'}"]
        assert cells == [*expected, "", ""]
    # Word gets one member a line, in order, whatever the PDF's columns.
    paragraphs = [p.text for p in Document(BytesIO(html_to_docx(html))).paragraphs]
    first = paragraphs.index(f"1. {names[0]};")
    assert paragraphs[first : first + size] == [
        f"{i}. {n}{'.' if i == size else ';'}" for i, n in enumerate(names, start=1)
    ]

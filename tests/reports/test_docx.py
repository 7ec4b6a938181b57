"""The DOCX of every kind, opened with python-docx, and (where LibreOffice is installed)
converted to PDF and held to the same layout rules as the PDF (Nghị định 30/2020, Phụ lục I;
shared/domain.md §2.3).

Each document is seeded and built once per module (inside a transaction rolled back at the
end), PDF and DOCX from the same HTML. Without LibreOffice (soffice) or poppler-utils the
conversion checks are skipped with the reason printed, except under CI=true, where a
missing tool is a failure (.ci/run installs libreoffice-writer and poppler-utils).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from django.db import transaction
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from blocs.models import Meeting
from reports.documents import gather_for_draft, render_html
from reports.docx_builder import html_to_docx
from reports.management.commands.bench_reports import seed_year
from reports.models import ReportDraft
from reports.rendering import html_to_pdf

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = [t for t in ("pdftotext", "pdfinfo") if shutil.which(t) is None]
if os.environ.get("CI", "").lower() == "true" and (SOFFICE is None or POPPLER):
    raise RuntimeError("CI needs libreoffice-writer and poppler-utils for the DOCX checks")
needs_poppler = pytest.mark.skipif(
    bool(POPPLER), reason=f"poppler-utils not installed ({', '.join(POPPLER)} missing)"
)
needs_office = pytest.mark.skipif(
    SOFFICE is None or bool(POPPLER),
    reason="LibreOffice (soffice) or poppler-utils not installed: DOCX not converted to PDF",
)
pytestmark = pytest.mark.django_db

KINDS = ("year_end", "mid_year", "minutes", "pledge")
HOSTILE = (
    "Năm 2020 các đơn vị đã **chủ động** triển khai *nhiều* nội dung.\n"
    "Kết quả nổi bật:\n"
    "- Tuyên truyền được 120 cuộc;\n"
    "- Vận động quỹ đạt 1,2 tỷ đồng.\n"
    "| STT | Chỉ tiêu | Kết quả |\n"
    "|---|---|---|\n"
    "| 1 | Tập huấn | 12 lớp |\n"
    "Thử <script>alert(1)</script> và <img src=file:///etc/passwd> nữa.\n"
    '<p style="background: url(file:///etc/passwd)">nền</p> '
    "[bấm](javascript:alert(1))"
)
# The year-end chart's labels (the members' short names): text in the PDF's SVG, pixels in
# the DOCX's PNG.
CHART_LABELS = {"HLHPN", "LĐLĐ", "ĐTN", "HND", "HCCB", "MTTQ"}
A4 = (595.3, 841.9)
MM = 72 / 25.4  # points per millimetre


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """{kind: (docx path, pdf path)} from one 6-member bloc; the year-end and mid-year
    reports carry the hostile narrative in their first section."""
    folder = tmp_path_factory.mktemp("docx")
    paths = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                draft = seed_year(6, tag="docx")
                draft.symbol = "05/BC-HLHPN1"
                draft.situation = HOSTILE
                review = draft.bloc.meetings.get(kind=Meeting.Kind.YEAR_END)
                common = {"bloc": draft.bloc, "year": 2020, "issuer": draft.issuer}
                signer = {
                    "signer_name": draft.signer_name,
                    "signer_position": draft.signer_position,
                    "sign_mode": draft.sign_mode,
                    "recipients": draft.recipients,
                    "place": "Hải Phòng",
                    "style": draft.style,
                    "issuer_title": draft.issuer_title,
                    "parent_body": draft.parent_body,
                }
                drafts = {
                    "year_end": draft,
                    "mid_year": ReportDraft(
                        kind="mid_year",
                        issue_date=date(2020, 7, 15),
                        situation=HOSTILE,
                        **signer,
                        **common,
                    ),  # fmt: skip
                    "minutes": ReportDraft(
                        kind="minutes",
                        meeting=review,
                        issue_date=date(2020, 12, 29),
                        **signer,
                        **common,
                    ),  # fmt: skip
                    "pledge": ReportDraft(
                        kind="pledge", issue_date=date(2020, 2, 12), **signer, **common
                    ),
                }
                for name, d in drafts.items():
                    html = render_html(None, gather_for_draft(d))
                    docx_path, pdf_path = folder / f"{name}.docx", folder / f"{name}.pdf"
                    docx_path.write_bytes(html_to_docx(html, title=name))
                    pdf_path.write_bytes(html_to_pdf(html).pdf)
                    paths[name] = (docx_path, pdf_path)
                raise _Rollback
        except _Rollback:
            pass
    return paths


def open_docx(built, kind):
    return Document(str(built[kind][0]))


def all_paragraphs(doc):
    """Every paragraph, those of the tables (nested ones too) included, in order."""

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield block

    yield from walk(doc)


def doc_text(doc) -> str:
    return "\n".join(p.text for p in all_paragraphs(doc))


def flat(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


def borders(table) -> dict[str, str]:
    found = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert found is not None, "the table sets its borders"
    order = [child.tag.split("}")[1] for child in table._tbl.tblPr]
    assert order.index("tblBorders") < order.index("tblLayout"), order  # the schema's order
    return {el.tag.split("}")[1]: el.get(qn("w:val")) for el in found}


# Page setup ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a4_portrait_with_the_nd30_margins(built, kind):
    section = open_docx(built, kind).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    slack = Mm(0.1)  # stored in twips
    assert Mm(20) - slack <= section.top_margin <= Mm(25)
    assert Mm(20) - slack <= section.bottom_margin <= Mm(25)
    assert Mm(30) - slack <= section.left_margin <= Mm(35)
    assert Mm(15) - slack <= section.right_margin <= Mm(20)


@pytest.mark.parametrize("kind", KINDS)
def test_page_numbers_from_page_two_centred_in_the_header(built, kind):
    section = open_docx(built, kind).sections[0]
    assert section.different_first_page_header_footer  # page 1 shows no number
    assert all(not p.text.strip() for p in section.first_page_header.paragraphs)
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    instructions = [el.text.strip() for el in header._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    kinds = [el.get(qn("w:fldCharType")) for el in header._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert header.runs[0].font.size == Pt(13)


def test_the_score_appendix_is_a_landscape_section_that_keeps_the_numbering(built):
    doc = open_docx(built, "year_end")
    assert len(doc.sections) >= 3  # the body, then one per appendix
    landscape = [s for s in doc.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 1
    wide = landscape[0]
    assert abs(wide.page_width - Mm(297)) < Mm(0.5) and abs(wide.page_height - Mm(210)) < Mm(0.5)
    for section in doc.sections[1:]:
        assert not section.different_first_page_header_footer  # its first page is numbered
        assert section.header.is_linked_to_previous
    appendix_start = doc.sections[1].start_type
    assert appendix_start == 2  # WD_SECTION.NEW_PAGE
    assert "Phụ lục 1" in doc_text(doc)
    assert "BẢNG TỔNG HỢP ĐIỂM THI ĐUA VÀ XẾP HẠNG NĂM 2020" in doc_text(doc)


# Header grid, fonts, signer, recipients -----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_header_grid_is_a_borderless_two_column_table(built, kind):
    doc = open_docx(built, kind)
    header = doc.tables[0]
    assert len(header.columns) == 2 and len(header.rows) == 1
    assert set(borders(header).values()) == {"nil"}
    left, right = (cell.text for cell in header.rows[0].cells)
    assert "KHỐI THI ĐUA MTTQ VÀ CÁC TỔ CHỨC CT-XH THÀNH PHỐ" in left
    assert "ỦY BAN MTTQ VIỆT NAM THÀNH PHỐ HẢI PHÒNG" in left
    assert re.search(r"Số: .*/(BC|BB|GƯ)-HLHPN1", left)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    place_date = next(p for p in header.rows[0].cells[1].paragraphs if "Hải Phòng, ngày" in p.text)
    assert all(r.italic for r in place_date.runs)
    motto = next(p for p in header.rows[0].cells[1].paragraphs if "Độc lập" in p.text)
    assert all(r.bold and r.underline for r in motto.runs)
    widths = [c.width for c in header.rows[0].cells]
    assert widths[0] < widths[1]  # about 40 / 60


@pytest.mark.parametrize("kind", KINDS)
def test_times_new_roman_everywhere_body_14_pt(built, kind):
    doc = open_docx(built, kind)
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for fonts in defaults.iter(qn("w:rFonts")):
        assert not any("Theme" in name for name in fonts.attrib), "no theme font (Calibri)"
        assert fonts.get(qn("w:ascii")) == "Times New Roman"
    sizes = set()
    for p in all_paragraphs(doc):
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman")
            sizes.add(run.font.size.pt if run.font.size else 14)
    assert sizes <= {10, 11, 12, 12.5, 13, 13.5, 14}, sizes
    body = [
        p
        for p in doc.paragraphs
        if p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        and p.text
        and not all(r.italic for r in p.runs)  # the text, not its notes (11 pt italic)
    ]
    assert body
    assert all((r.font.size or Pt(14)) == Pt(14) for p in body for r in p.runs)


@pytest.mark.parametrize("kind", ["year_end", "mid_year"])
def test_the_signer_block_beside_the_recipients(built, kind):
    doc = open_docx(built, kind)
    signing = next(t for t in doc.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    assert set(borders(signing).values()) == {"nil"}
    recipients, signer = signing.rows[0].cells
    label = recipients.paragraphs[0]
    assert label.text == "Nơi nhận:"
    assert all(r.bold and r.italic and r.font.size == Pt(12) for r in label.runs)
    lines = [p.text for p in recipients.paragraphs[1:]]
    assert lines[-1] == "- Lưu: VT."
    assert all(r.font.size == Pt(11) for p in recipients.paragraphs[1:] for r in p.runs)
    texts = [p.text for p in signer.paragraphs if p.text.strip()]
    assert texts == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "Vũ Thị Bích Liên"]
    name = next(p for p in signer.paragraphs if p.text == "Vũ Thị Bích Liên")
    assert all(r.bold for r in name.runs)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in signer.paragraphs if p.text)
    room = [p for p in signer.paragraphs if not p.text.strip()]
    spacing = [p.paragraph_format.line_spacing for p in room]
    assert any(abs(s - Mm(28)) < Mm(0.5) for s in spacing if s)  # room to sign


def test_the_minutes_are_signed_by_the_secretary_and_the_chair(built):
    text = doc_text(open_docx(built, "minutes"))
    for expected in ("BIÊN BẢN", "THƯ KÝ", "CHỦ TỌA", "Trần Thu Hà", "Vũ Thị Bích Liên"):
        assert expected in text
    assert "Nơi nhận:" in text and "- Lưu: VT." in text


def test_the_pledge_has_a_signature_cell_per_member_and_names_level(built):
    doc = open_docx(built, "pledge")
    text = doc_text(doc)
    assert text.count("(Ký, đóng dấu)") == 6
    grid = next(t for t in doc.tables if "(Ký, đóng dấu)" in t.rows[0].cells[0].text)
    assert set(borders(grid).values()) == {"nil"}
    names = grid.rows[1].cells  # the names of the first three, on one row of their own
    assert [c.text.split("\n")[0] for c in names] == [
        "Nguyễn Văn 1",
        "Nguyễn Văn 2",
        "Nguyễn Văn 3",
    ]


# Same content as the PDF --------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_every_paragraph_of_the_docx_is_in_the_pdf(built, kind):
    docx_path, pdf_path = built[kind]
    # Word by word: pdftotext may read a justified line with wide gaps out of order, and the
    # PDF breaks a long word like a path at its "/" or "(" (so its pieces are looked up).
    pdf = _run("pdftotext", "-enc", "UTF-8", str(pdf_path), "-")
    pdf_words, pdf_joined = set(pdf.split()), re.sub(r"\s+", "", pdf)
    doc = Document(str(docx_path))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    assert len(paragraphs) >= 5
    missing = [
        word
        for text in paragraphs
        for word in text.split()
        if word not in pdf_words
        and not all(piece in pdf_joined for piece in re.split(r"[()\[\]/]", word) if piece)
    ]
    assert not missing
    # And the other way round: nothing of the PDF is missing from the DOCX (tables included;
    # bare numbers left out: the PDF's page numbers are the DOCX's PAGE fields).
    docx_text = doc_text(doc)
    docx_words, docx_joined = set(docx_text.split()), re.sub(r"\s+", "", docx_text)
    only_in_pdf = {w for w in pdf_words - docx_words if not w.isdigit() and w not in docx_joined}
    assert not only_in_pdf - CHART_LABELS


# The markup, hostile input included ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["year_end", "mid_year"])
def test_the_narrative_markup_in_the_docx(built, kind):
    doc = open_docx(built, kind)
    paragraphs = doc.paragraphs
    first = next(p for p in paragraphs if p.text.startswith("Năm 2020 các đơn vị đã"))
    assert [r.text for r in first.runs if r.bold] == ["chủ động"]
    assert [r.text for r in first.runs if r.italic] == ["nhiều"]
    items = [p for p in paragraphs if p.text.startswith("- Tuyên truyền") or "1,2 tỷ" in p.text]
    assert len(items) == 2
    assert all(p.paragraph_format.first_line_indent < 0 for p in items)  # hanging, like a list
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    assert [c.text for c in table.rows[0].cells] == ["STT", "Chỉ tiêu", "Kết quả"]
    assert [c.text for c in table.rows[1].cells] == ["1", "Tập huấn", "12 lớp"]
    text = doc_text(doc)
    assert "|---|" not in text and "**" not in text
    # Raw HTML is the text that was typed, never markup: no picture, no link, no style.
    assert "Thử <script>alert(1)</script> và <img src=file:///etc/passwd> nữa." in text
    with zipfile.ZipFile(built[kind][0]) as package:
        names = package.namelist()
        body = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    media = [n for n in names if n.startswith("word/media/")]
    assert len(media) == (1 if kind == "year_end" else 0)  # the chart, drawn from the data
    assert "<w:hyperlink" not in body and "<w:pict" not in body
    assert body.count("<w:drawing") == len(media)
    assert "passwd" not in rels and "TargetMode" not in rels  # no external target at all


@needs_poppler
def test_the_narrative_markup_in_the_pdf(built):
    _, pdf_path = built["year_end"]
    pdf = flat(_run("pdftotext", "-enc", "UTF-8", str(pdf_path), "-"))
    assert "Năm 2020 các đơn vị đã chủ động triển khai nhiều nội dung." in pdf
    assert "Thử <script>alert(1)</script> và <img src=file:///etc/passwd> nữa." in pdf
    assert "**" not in pdf and "|---|" not in pdf
    fonts = _run("pdffonts", str(pdf_path)) if shutil.which("pdffonts") else ""
    if fonts:
        assert "Liberation-Serif-Bold" in fonts and "Liberation-Serif-Italic" in fonts
    images = _run("pdfimages", "-list", str(pdf_path)) if shutil.which("pdfimages") else ""
    # The chart is the only picture a year-end report may hold (drawn from the data).
    assert len([line for line in images.splitlines()[2:] if line.strip()]) <= 1


# Converted by LibreOffice: the same layout rules as the PDF ---------------------------------


@pytest.fixture(scope="module")
def converted(built, tmp_path_factory):
    """{kind: pdf path} of the DOCX converted by LibreOffice (one run for all four)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("soffice")
    profile = tmp_path_factory.mktemp("soffice-profile")
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(out), *[str(built[k][0]) for k in KINDS]],
        capture_output=True, check=True, timeout=180,
    )  # fmt: skip
    return {k: out / f"{k}.pdf" for k in KINDS}


def page_sizes(path) -> list[tuple[float, float]]:
    out = _run("pdfinfo", "-f", "1", "-l", "999", str(path))
    return [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    ]


def words(path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word of a page (pdftotext -bbox)."""
    out = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        out,
    )
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in found]


@needs_office
@pytest.mark.parametrize("kind", KINDS)
def test_converted_pages_are_a4_and_the_text_stays_inside_the_margins(converted, kind):
    path = converted[kind]
    sizes = page_sizes(path)
    assert sizes
    for number, (w, h) in enumerate(sizes, start=1):
        portrait = w < h
        if portrait:
            assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1
            left, right, top = 30 * MM, w - 15 * MM, 20 * MM
        else:
            assert abs(w - A4[1]) <= 1 and abs(h - A4[0]) <= 1
            left, right, top = 20 * MM, w - 15 * MM, 25 * MM
        body = [b for b in words(path, number) if b[1] > top - 1]  # below the page number
        assert body, f"page {number} is empty"
        assert min(b[0] for b in body) >= left - 1.5, (kind, number)
        assert max(b[2] for b in body) <= right + 1.5, (kind, number)
        assert max(b[3] for b in body) <= h - 20 * MM + 1.5 if portrait else True


@needs_office
def test_converted_year_end_has_its_landscape_appendix_and_numbers_from_page_two(converted):
    path = converted["year_end"]
    sizes = page_sizes(path)
    assert len(sizes) >= 4
    assert any(w > h for w, h in sizes) and sizes[0][0] < sizes[0][1]

    def top_margin_text(page: int) -> str:
        return " ".join(w for x0, y0, x1, y1, w in words(path, page) if y1 < 20 * MM - 1)

    assert top_margin_text(1) == ""
    assert top_margin_text(2) == "2"
    assert top_margin_text(len(sizes)) == str(len(sizes))
    first = flat(
        _run("pdftotext", "-enc", "UTF-8", "-layout", "-f", "1", "-l", "1", str(path), "-")
    )
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 05/BC-HLHPN1", "BÁO CÁO"):
        assert expected in first
    fonts = _run("pdffonts", str(path)) if shutil.which("pdffonts") else "Liberation"
    assert "Liberation" in fonts or "Times" in fonts  # Times New Roman or its metric twin


@needs_office
def test_converted_signer_level_with_the_recipients(converted):
    path = converted["year_end"]
    pages = len(page_sizes(path))
    for page in range(1, pages + 1):
        found = words(path, page)
        labels = [b for b in found if b[4] == "Nơi"]
        signs = [b for b in found if b[4] == "TM."]
        if labels and signs:
            assert abs(labels[0][1] - signs[0][1]) < 8  # the same level (ô 9 beside ô 7)
            assert labels[0][0] < signs[0][0]
            return
    pytest.fail("no page with both Nơi nhận and the signer")


def test_the_docx_package_is_valid(built):
    for kind in KINDS:
        data = built[kind][0].read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert package.testzip() is None
            assert "word/document.xml" in package.namelist()


def test_the_chart_is_a_picture_within_the_text_width(built):
    doc = open_docx(built, "year_end")
    (picture,) = doc.inline_shapes
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert 0 < picture.width <= text_width and 0 < picture.height <= Mm(130)
    with zipfile.ZipFile(built["year_end"][0]) as package:
        (name,) = [n for n in package.namelist() if n.startswith("word/media/")]
        assert package.read(name).startswith(b"\x89PNG")
    assert not open_docx(built, "mid_year").inline_shapes


def test_the_file_names_no_tool_as_its_author(built):
    properties = open_docx(built, "minutes").core_properties
    assert properties.title == "minutes" and properties.language == "vi-VN"
    assert properties.author == "" and properties.comments == ""


def test_a_section_break_takes_no_room_of_its_own(built):
    """The break before an appendix sits in an empty paragraph: at 14 pt it could push a
    blank page in front of the appendix, so it is 1 pt high with no spacing."""
    doc = open_docx(built, "year_end")
    marks = [
        p
        for p in doc.element.body.iter(qn("w:p"))
        if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    ]
    assert len(marks) == len(doc.sections) - 1
    for mark in marks:
        spacing = mark.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
        assert spacing.get(qn("w:line")) == "20" and spacing.get(qn("w:lineRule")) == "exact"
        assert spacing.get(qn("w:after")) == "0"

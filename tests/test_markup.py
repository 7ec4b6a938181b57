"""The narrative's small markup (portal/lib/markup.py): what it makes, and what it never lets
through. The PDF and the DOCX of hostile text are checked in tests/reports/test_docx.py."""

import lxml.html
import pytest

from portal.lib.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean, narrative_block, to_html
from reports.formats import lines

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=file:///etc/passwd>",
    '<img src="x" onerror="alert(1)">',
    '<p style="background: url(http://attacker.invalid/x.png)">nền</p>',
    "<style>body { background: url(file:///etc/passwd) }</style>",
    "[bấm vào](javascript:alert(1))",
    '<a href="javascript:alert(1)">liên kết</a>',
    "![ảnh](file:///etc/passwd)",
    "<iframe src=//attacker.invalid></iframe>",
    "| a | b |\n|---|---|\n| <img src=file:///etc/passwd> | <script>x</script> |",
]


def elements(html: str) -> list:
    return list(lxml.html.fragment_fromstring(html, create_parent="div").iter())[1:]


def paragraphs(html: str) -> list[str]:
    return [el.text_content() for el in elements(html) if el.tag == "p"]


def test_plain_text_prints_as_before_one_line_one_paragraph():
    text = "Dòng thứ nhất.\nDòng thứ hai.\n\n  Dòng thứ ba, sau một dòng trống.  \n"
    assert paragraphs(to_html(text)) == lines(text)  # the old rule, line for line


def test_lists_bold_italic_and_numbers_that_start_where_typed():
    html = to_html("Kết quả:\n- **120** cuộc\n- *nhiều* mô hình\n3. thứ ba\n4. thứ tư\nSau.")
    tags = [el.tag for el in elements(html)]
    assert tags == ["p", "ul", "li", "strong", "li", "em", "ol", "li", "li", "p"]
    ordered = next(el for el in elements(html) if el.tag == "ol")
    assert ordered.get("start") == "3"
    assert paragraphs(html) == ["Kết quả:", "Sau."]


def test_a_pipe_table_with_its_header_row():
    html = to_html("| STT | Chỉ tiêu |\n|---|--:|\n| 1 | Tập huấn |\n| 2 | Mô hình |\nSau bảng.")
    found = elements(html)
    assert [el.text_content() for el in found if el.tag == "th"] == ["STT", "Chỉ tiêu"]
    assert [el.text_content() for el in found if el.tag == "td"] == [
        "1",
        "Tập huấn",
        "2",
        "Mô hình",
    ]
    assert not any(el.attrib for el in found)  # alignment never comes as a style attribute
    assert paragraphs(html) == ["Sau bảng."]


def test_a_row_without_its_separator_is_text_as_typed():
    assert paragraphs(to_html("| STT | Chỉ tiêu |")) == ["| STT | Chỉ tiêu |"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_only_ever_yields_the_markups_own_tags(text):
    html = to_html(text)
    for el in elements(html):
        assert el.tag in ALLOWED_TAGS, html
        assert set(el.attrib) <= ALLOWED_ATTRIBUTES.get(el.tag, set()), html
    lowered = html.lower()
    for never in ("<script", "<img", "<style", "<a ", "<iframe"):  # as text it is "&lt;img"
        assert never not in lowered, html


def test_raw_html_is_shown_as_the_text_that_was_typed():
    html = to_html("Trước <script>alert('x')</script> sau")
    assert "&lt;script&gt;" in html
    assert paragraphs(html) == ["Trước <script>alert('x')</script> sau"]


def test_the_sanitiser_removes_what_no_markup_rule_makes():
    dirty = (
        '<p style="background:url(x)" onclick="y">a</p><script>b()</script>'
        '<img src="file:///etc/passwd"><a href="javascript:alert(1)">c</a><ol start="2" x="1">'
    )
    assert clean(dirty) == '<p>a</p>c<ol start="2"></ol>'


def test_the_document_block_carries_the_source_escaped():
    block = narrative_block(["Một <b>dòng</b>", "Hai"])
    root = lxml.html.fragment_fromstring(block)
    assert root.get("class") == "narrative"
    assert root.get("data-text") == "Một <b>dòng</b>\nHai"  # what the DOCX builder parses
    assert [p.text_content() for p in root.iter("p")] == ["Một <b>dòng</b>", "Hai"]
    assert narrative_block("  \n ") == ""

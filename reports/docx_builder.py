"""Every document also as a .docx (python-docx), for the offices that finish it in Word.

One source of content: the builder lays out the very HTML the PDF is printed from
(`documents.render_html`, the kind's template over the gathered data), element by element,
so a sentence, a table or a section added to a template is in both files. That HTML is the
portal's own, every value autoescaped by the templates; what a user typed in a narrative
is not read back from it: a narrative block (`<div class="narrative" data-text=…>`, see
portal/lib/markup.py) is laid out from the tokens of its text, the same parse as its HTML.

What the PDF's stylesheet (static/reports/pdf.css) says about a class, the table `_P` says
for Word, following Nghị định 30/2020 (Phụ lục I): A4, margins top and bottom 20 mm, left
30 mm, right 15 mm; Times New Roman; the body 14 pt, justified, first line indented
1.27 cm, 6 pt after each paragraph; the page number centred in the top margin from page 2
(a PAGE field in the header, the first page's header empty); the header grid and the
signer block as borderless tables; each appendix a section of its own, landscape for the
score table. The chart (an inline SVG) goes in as a PNG drawn by CairoSVG, which reads
nothing from outside the picture; only inline `data:` pictures are taken, as in the PDF.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml.html import HtmlElement

from portal.lib.markup import tokens

logger = logging.getLogger(__name__)

FONT = "Times New Roman"
BODY_PT = 14
PAGE_NUMBER_PT = 13
PORTRAIT = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15}
LANDSCAPE = {"width": 297, "height": 210, "top": 25, "bottom": 15, "left": 20, "right": 15}
# The appendices printed on landscape pages (static/reports/pdf.css: `.landscape` and the
# score table's own named page).
LANDSCAPE_APPENDICES = frozenset({"landscape", "appendix-scores"})
INDENT = Cm(1.27)
BLOCK_TAGS = frozenset(
    {"p", "div", "section", "table", "ol", "ul", "h1", "h2", "h3", "h4", "img", "colgroup"}
)
_SPACES = re.compile(r"[ \t\r\n\f]+")


@dataclass(frozen=True)
class _P:
    """How a class of paragraph looks (the Word side of pdf.css)."""

    size: float | None = None
    bold: bool = False
    italic: bool = False
    align: str | None = None  # "center", "left", "right", "justify"
    indent: bool | None = None  # first-line indent 1.27 cm (None: the context's default)
    before: float | None = None
    after: float | None = None
    upper: bool = False
    keep: bool = False  # keep with the next paragraph
    left: float | None = None  # left indent, cm


STYLES: dict[str, _P] = {
    # Header grid (ô 1-4)
    "parent-body": _P(size=13),
    "issuer": _P(size=13, bold=True),
    "doc-number": _P(size=13, before=4),
    "motto-1": _P(size=12.5, bold=True),
    "motto-2": _P(size=13.5, bold=True),
    "youth-title": _P(size=14, bold=True),
    "youth-stars": _P(size=13),
    "place-date": _P(size=14, italic=True, before=8),
    # Type and summary (ô 5a)
    "doc-type": _P(bold=True, align="center", indent=False, after=0),
    "doc-summary": _P(bold=True, align="center", indent=False, after=0),
    # Body
    "dash2": _P(indent=False, left=1.9),
    "note": _P(size=11, italic=True, indent=False),
    "closing": _P(before=10),
    "ballot-title": _P(bold=True, indent=False, keep=True),
    "grid-heading": _P(bold=True, align="center", indent=False, keep=True),
    "appendix-no": _P(bold=True, align="center", indent=False, after=0),
    "appendix-title": _P(bold=True, align="center", indent=False, after=0),
    "appendix-ref": _P(size=13, italic=True, align="center", indent=False),
    # Signer block (ô 7) and recipients (ô 9)
    "sign-mode": _P(bold=True),
    "sign-position": _P(bold=True),
    "sign-name": _P(bold=True),
    "recipients-label": _P(size=12, bold=True, italic=True, align="left"),
    # Pledge signature grid
    "sig-org": _P(size=12, bold=True, upper=True),
    "sig-hint": _P(size=12, italic=True),
    "sig-name": _P(bold=True),
    "sig-position": _P(size=11),
}
TAG_STYLES: dict[str, _P] = {
    "h2": _P(bold=True, align="left", indent=False, before=8, keep=True),
    "h3": _P(bold=True, indent=True, before=8, keep=True),
}
# Width of a column of a data table from its header cell's class, in cm.
COLUMN_CM = {
    "c-stt": 1.3,
    "c-name": 5.0,
    "c-rank": 1.4,
    "c-code": 1.3,
    "c-num": 2.0,
    "c-att": 3.4,
    "c-class": 3.2,
    "c-result": 3.0,
}
CELL_ALIGN = {
    "c-stt": "center",
    "c-rank": "center",
    "c-code": "center",
    "c-result": "center",
    "c-att": "center",
    "c-num": "right",
}
ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


@dataclass
class _Ctx:
    """Where the walk is: the defaults its paragraphs take from their container."""

    align: str = "justify"
    indent: bool = True
    size: float | None = None
    after: float = 6
    compact: bool = False  # tables and header cells: single line spacing, nothing after
    classes: frozenset[str] = field(default_factory=frozenset)

    def inside(self, **changes: Any) -> _Ctx:
        values = {**self.__dict__, **changes}
        return _Ctx(**values)


@dataclass
class _Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    brk: bool = False


def classes_of(el: HtmlElement) -> frozenset[str]:
    return frozenset((el.get("class") or "").split())


# The document -------------------------------------------------------------------------------


def html_to_docx(html: str, *, title: str = "") -> bytes:
    """The .docx of a document's HTML (from documents.render_html)."""
    builder = _Builder(title=title)
    root = lxml.html.document_fromstring(html)
    builder.blocks(root.body, builder.doc, _Ctx())
    out = io.BytesIO()
    builder.doc.save(out)
    return out.getvalue()


class _Builder:
    def __init__(self, *, title: str) -> None:
        self.doc = Document()
        self._setup_styles()
        section = self.doc.sections[0]
        self._page(section, PORTRAIT)
        self._page_numbers(section)
        self.layout = PORTRAIT
        self.sections = 1
        properties = self.doc.core_properties
        properties.title = title
        properties.language = "vi-VN"
        # Not python-docx's own words: the office that edits it becomes its author in Word.
        properties.author = properties.last_modified_by = properties.comments = ""
        properties.created = properties.modified = timezone.now()

    # Page setup

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        r_pr = normal.element.get_or_add_rPr()
        fonts = r_pr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        fmt = normal.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        fmt.line_spacing = 1.15
        # The defaults of the document: no theme font (Calibri) anywhere, Vietnamese.
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for fonts in defaults.iter(qn("w:rFonts")):
                for attr in list(fonts.attrib):
                    del fonts.attrib[attr]
                for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                    fonts.set(qn(attr), FONT)
            for lang in defaults.iter(qn("w:lang")):
                lang.set(qn("w:val"), "vi-VN")

    def _page(self, section: Any, layout: dict[str, int]) -> None:
        landscape = layout["width"] > layout["height"]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(layout["width"]), Mm(layout["height"])
        section.top_margin, section.bottom_margin = Mm(layout["top"]), Mm(layout["bottom"])
        section.left_margin, section.right_margin = Mm(layout["left"]), Mm(layout["right"])
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        section.gutter = Mm(0)

    def _page_numbers(self, section: Any) -> None:
        """The number centred in the top margin, from page 2 (a different first page)."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run()
        run.font.size = Pt(PAGE_NUMBER_PT)
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("end", None)):
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
        section.first_page_header.paragraphs[0].text = ""

    def _new_section(self, layout: dict[str, int]) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        # Word keeps the section break in an empty paragraph of its own; at body size it
        # can fall onto a page of its own (a blank page before the appendix): 1 pt, no space.
        mark = self.doc.element.body.findall(qn("w:p"))[-1]
        fmt = Paragraph(mark, self.doc).paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(1)
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "2")
        mark_run = OxmlElement("w:rPr")
        mark_run.append(size)
        p_pr = mark.get_or_add_pPr()
        p_pr.find(qn("w:sectPr")).addprevious(mark_run)  # the schema's order: rPr, sectPr
        self._page(section, layout)
        # The header (its page number) carries on from the document's; only page 1 has none.
        section.different_first_page_header_footer = False
        self.layout = layout
        self.sections += 1

    def text_width(self) -> Length:
        return Mm(self.layout["width"] - self.layout["left"] - self.layout["right"])

    # Walking the HTML

    def blocks(self, el: HtmlElement, container: Any, ctx: _Ctx) -> None:
        """Lay out the children of `el`: blocks as they come, loose inline content (text,
        <b>, <span>) gathered into paragraphs between them."""
        pending: list[Any] = []
        if el.text and el.text.strip():
            pending.append(el.text)
        for child in el:
            if not isinstance(child.tag, str):  # a comment
                if child.tail and child.tail.strip():
                    pending.append(child.tail)
                continue
            if child.tag in BLOCK_TAGS:
                if pending:
                    self.paragraph(container, pending, ctx, frozenset())
                    pending = []
                self.block(child, container, ctx)
            else:
                pending.append(child)
            if child.tail and child.tail.strip():
                pending.append(child.tail)
        if pending:
            self.paragraph(container, pending, ctx, frozenset())

    def block(self, el: HtmlElement, container: Any, ctx: _Ctx) -> None:
        tag, cls = el.tag, classes_of(el)
        if tag == "colgroup":
            return
        if tag == "img":
            self.picture(container, el)
            return
        if tag == "section" and "appendix" in cls:
            self._new_section(LANDSCAPE if cls & LANDSCAPE_APPENDICES else PORTRAIT)
            self.blocks(el, container, ctx)
        elif tag == "div" and "narrative" in cls:
            self.narrative(container, el.get("data-text") or "", ctx)
        elif tag == "div" and "rule" in cls:
            self.rule(container, cls)
        elif tag == "div" and "sign-space" in cls:
            self.spacer(container, 28)
        elif tag == "div" and "recipients" in cls:
            self.spacer(container, 6)
            inner = ctx.inside(align="left", indent=False, after=0, size=11, compact=True)
            self.blocks(el, container, inner)
        elif tag == "div" and ("doc-title" in cls or "addressees" in cls):
            # "Kính gửi:" sits centred under the summary, as the PDF prints it (ND 30 ô 9a).
            self.blocks(el, container, ctx.inside(align="center", indent=False))
        elif tag == "div" and "legal-basis" in cls:
            for child in el:
                self.paragraph(container, [child], ctx, frozenset({"legal"}), italic=True)
        elif tag in ("div", "section"):
            self.blocks(el, container, ctx)
        elif tag == "table" and "signature-grid" in cls:
            self.signature_grid(el, container, ctx)
        elif tag == "table" and "members-columns" in cls:
            self.member_columns(el, container, ctx)
        elif tag == "table":
            self.table(el, container, ctx, cls)
        elif tag in ("ol", "ul"):
            self.html_list(el, container, ctx)
        else:  # p, h2, h3
            self.paragraph(container, [el], ctx, cls, tag=tag)

    # Paragraphs

    def new_paragraph(self, container: Any) -> Any:
        """A new paragraph, or the empty one a new table cell comes with."""
        if container is not self.doc:
            paragraphs = container.paragraphs
            if len(paragraphs) == 1 and len(paragraphs[0]._p) == 0 and len(container.tables) == 0:
                return paragraphs[0]
        return container.add_paragraph()

    def paragraph(
        self,
        container: Any,
        parts: list[Any],
        ctx: _Ctx,
        cls: frozenset[str],
        *,
        tag: str = "p",
        italic: bool = False,
        prefix: str = "",
        left_cm: float | None = None,
        hanging_cm: float | None = None,
    ) -> Any:
        style = TAG_STYLES.get(tag, _P())
        for name in cls:
            if name in STYLES:
                style = STYLES[name]
        runs = list(self._runs_of(parts, bold=style.bold, italic=style.italic or italic))
        runs = _collapse(runs)
        if prefix:
            runs.insert(0, _Run(prefix, bold=False))
        paragraph = self.new_paragraph(container)
        fmt = paragraph.paragraph_format
        align = style.align or ctx.align
        paragraph.alignment = ALIGN.get(align, WD_ALIGN_PARAGRAPH.JUSTIFY)
        indent = ctx.indent if style.indent is None else style.indent
        if hanging_cm is not None:
            fmt.left_indent = Cm(left_cm or 0)
            fmt.first_line_indent = Cm(-hanging_cm)
        else:
            fmt.first_line_indent = INDENT if indent else Cm(0)
            if style.left is not None:
                fmt.left_indent = Cm(style.left)
        fmt.space_before = Pt(style.before if style.before is not None else 0)
        after = style.after if style.after is not None else ctx.after
        fmt.space_after = Pt(after)
        if ctx.compact:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if style.keep:
            fmt.keep_with_next = True
        size = style.size or ctx.size
        for run in runs:
            if run.brk:
                paragraph.add_run().add_break()
                continue
            text = run.text.upper() if style.upper else run.text
            r = paragraph.add_run(text)
            r.bold = run.bold or None
            r.italic = run.italic or None
            if run.underline:
                r.underline = True
            if run.size or size:
                r.font.size = Pt(run.size or size or BODY_PT)
        return paragraph

    def _runs_of(
        self,
        parts: list[Any],
        *,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        size: float | None = None,
    ) -> Iterator[_Run]:
        for part in parts:
            if isinstance(part, str):
                yield _Run(part, bold, italic, underline, size)
                continue
            el = part
            if not isinstance(el.tag, str):
                continue
            cls = classes_of(el)
            b = bold or el.tag in ("b", "strong") or "c-total" in cls
            i = italic or el.tag in ("i", "em")
            u = underline or el.tag == "u" or "underlined" in cls
            s = 10 if "th-max" in cls else size
            if "th-max" in cls:
                b = False
            if el.tag == "br":
                yield _Run("", brk=True)
            elif el.text:
                yield _Run(el.text, b, i, u, s)
            for child in el:
                yield from self._runs_of([child], bold=b, italic=i, underline=u, size=s)
                if child.tail:
                    yield _Run(child.tail, b, i, u, s)

    def picture(self, container: Any, el: HtmlElement) -> None:
        """An inline picture (the chart), centred at most the text's width and 130 mm high,
        as the PDF's stylesheet has it. A picture that cannot be read is left out."""
        image = _inline_image(el.get("src") or "")
        if image is None:
            return
        try:
            from PIL import Image

            with Image.open(io.BytesIO(image)) as found:
                ratio = found.height / found.width
        except Exception:  # not a picture after all
            logger.warning("docx: a picture could not be read and was left out")
            return
        width = min(int(self.text_width()), int(Mm(130) / ratio))
        paragraph = self.new_paragraph(container)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Cm(0)
        paragraph.add_run().add_picture(io.BytesIO(image), width=Length(width))

    def spacer(self, container: Any, mm: float) -> None:
        paragraph = self.new_paragraph(container)
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Mm(mm)

    def rule(self, container: Any, cls: frozenset[str]) -> None:
        """A short centred line (under the issuer, under the title): an empty paragraph with
        a top border, narrowed by its indents to a share of its column's width."""
        share = 0.35 if "rule-issuer" in cls else 0.3
        width = self.text_width() * (0.38 if "rule-issuer" in cls else 1)
        margin = int(width * (1 - share) / 2)
        paragraph = self.new_paragraph(container)
        # The border first: python-docx then puts spacing and indents after it, in the
        # schema's order (pBdr comes before spacing, ind and jc).
        p_pr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        top = OxmlElement("w:top")
        for key, value in (
            ("w:val", "single"),
            ("w:sz", "6"),
            ("w:space", "1"),
            ("w:color", "000000"),
        ):
            top.set(qn(key), value)
        borders.append(top)
        _insert_ordered(p_pr, borders, _AFTER_PBDR)
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Length(margin)
        fmt.first_line_indent = Cm(0)
        fmt.space_before = Pt(2)
        fmt.space_after = Pt(2)
        fmt.line_spacing = Pt(2)

    def html_list(self, el: HtmlElement, container: Any, ctx: _Ctx) -> None:
        ordered = el.tag == "ol"
        number = int(el.get("start") or 1)
        for li in el:
            if li.tag != "li":
                continue
            prefix = f"{number}. " if ordered else "- "
            self.paragraph(
                container, [li], ctx, frozenset(), prefix=prefix, left_cm=2, hanging_cm=0.6
            )
            number += 1

    def member_columns(self, el: HtmlElement, container: Any, ctx: _Ctx) -> None:
        """The PDF's two columns of members (row by row), one per line in their order, as
        the short list is: Word users edit a list, not a table."""
        numbered = []
        for tr in el.iter("tr"):
            cells = tr.findall("td")
            for no, name in zip(cells[::2], cells[1::2], strict=False):
                if (no.text or "").strip():
                    numbered.append((int(no.text.strip().rstrip(".")), name))
        for number, name in sorted(numbered, key=lambda pair: pair[0]):
            self.paragraph(
                container,
                [name],
                ctx,
                frozenset(),
                prefix=f"{number}. ",
                left_cm=2,
                hanging_cm=0.6,
            )

    # Tables

    def table(self, el: HtmlElement, container: Any, ctx: _Ctx, cls: frozenset[str]) -> None:
        rows = list(el.iter("tr"))
        if not rows:
            return
        width = self.text_width()
        if "doc-header" in cls:
            shares, kind = [0.38, 0.62], "header"
        elif "signing" in cls:
            shares = [0.5, 0.5] if "minutes-signing" in cls else [0.45, 0.55]
            kind = "signing"
        else:
            shares, kind = self._column_shares(rows, width), "grid"
        columns = len(shares)
        table = container.add_table(rows=0, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        if kind == "grid":
            table.style = self.doc.styles["Table Grid"]
        else:
            _no_borders(table)
        widths = [Length(int(width * share)) for share in shares]
        for column, w in zip(table.columns, widths, strict=False):
            column.width = w
        small = 11 if "scores" in cls else 12
        for tr in rows:
            cells = [c for c in tr if c.tag in ("td", "th")]
            row = table.add_row()
            _cant_split(row)
            if tr.getparent() is not None and tr.getparent().tag == "thead":
                _repeat_header(row)
            row_cells = _cells(row, table)
            for i, td in enumerate(cells[:columns]):
                cell = row_cells[i]
                cell.width = widths[i]
                tcls = classes_of(td)
                if kind == "header":
                    inner = ctx.inside(align="center", indent=False, after=0, compact=True)
                elif kind == "signing" and "recipients" in tcls:
                    inner = ctx.inside(align="left", indent=False, after=0, size=11, compact=True)
                elif kind == "signing":
                    inner = ctx.inside(align="center", indent=False, after=0, compact=True)
                else:
                    align = "center" if td.tag == "th" else "left"
                    for name in tcls:
                        align = CELL_ALIGN.get(name, align) if td.tag == "td" else align
                    inner = ctx.inside(align=align, indent=False, after=0, size=small, compact=True)
                if td.tag == "th":
                    self.paragraph(cell, [td], inner, tcls | {"th"}, tag="th")
                    for p in cell.paragraphs:
                        for r in p.runs:
                            if r.font.size != Pt(10):
                                r.bold = True
                else:
                    self.blocks(td, cell, inner)
        after = container.add_paragraph() if kind in ("grid",) else None
        if after is not None:
            after.paragraph_format.space_after = Pt(2)
            after.paragraph_format.line_spacing = Pt(6)

    def signature_grid(self, el: HtmlElement, container: Any, ctx: _Ctx) -> None:
        """The pledge's signature cells, each HTML row as two rows of a borderless table:
        the organizations (room to sign and seal below them), then the names, so that the
        names of a row stay level whatever the length of the organizations' names."""
        rows = list(el.iter("tr"))
        columns = max((len(tr.findall("td")) for tr in rows), default=0)
        if not columns:
            return
        table = container.add_table(rows=0, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _no_borders(table)
        width = Length(int(self.text_width() / columns))
        for column in table.columns:
            column.width = width
        inner = ctx.inside(align="center", indent=False, after=0, compact=True)
        for tr in rows:
            head, tail = table.add_row(), table.add_row()
            _cant_split(head)
            _cant_split(tail)
            _row_height(head, 40)
            head_cells, tail_cells = _cells(head, table), _cells(tail, table)
            for i, td in enumerate(tr.findall("td")[:columns]):
                head_cells[i].width = tail_cells[i].width = width
                top = [c for c in td if isinstance(c.tag, str) and "sig-head" in classes_of(c)]
                for div in top:
                    self.blocks(div, head_cells[i], inner)
                    td.remove(div)
                for p in head_cells[i].paragraphs:
                    p.paragraph_format.keep_with_next = True
                self.blocks(td, tail_cells[i], inner)

    def _column_shares(self, rows: list[HtmlElement], width: Length) -> list[float]:
        head = rows[0]
        cells = [c for c in head if c.tag in ("td", "th")]
        total_cm = width / Cm(1)
        fixed = [
            COLUMN_CM.get(next((n for n in classes_of(c) if n in COLUMN_CM), ""), 0.0)
            for c in cells
        ]
        free = [i for i, w in enumerate(fixed) if not w]
        rest = total_cm - sum(fixed)
        if free:
            share = max(rest / len(free), 2.5)
            fixed = [w or share for w in fixed]
        scale = total_cm / sum(fixed)
        return [w * scale / total_cm for w in fixed]

    # The narrative: the tokens of its text

    def narrative(self, container: Any, text: str, ctx: _Ctx) -> None:
        stack: list[list[Any]] = []  # [ordered, next number] per open list
        item_prefix = ""
        table_rows: list[list[tuple[str, list[_Run]]]] | None = None
        cell_tag = "td"
        for tok in tokens(text):
            kind = tok.type
            if kind == "bullet_list_open":
                stack.append([False, 1])
            elif kind == "ordered_list_open":
                stack.append([True, int(tok.attrGet("start") or 1)])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                stack.pop()
            elif kind == "list_item_open":
                ordered, number = stack[-1]
                item_prefix = f"{number}. " if ordered else "- "
                stack[-1][1] = number + 1
            elif kind == "table_open":
                table_rows = []
            elif kind == "tr_open" and table_rows is not None:
                table_rows.append([])
            elif kind in ("th_open", "td_open"):
                cell_tag = kind[:2]
            elif kind == "table_close" and table_rows is not None:
                self._narrative_table(container, table_rows)
                table_rows = None
            elif kind == "inline":
                runs = _collapse(list(_inline_runs(tok)))
                if table_rows is not None:
                    table_rows[-1].append((cell_tag, runs))
                elif stack:
                    depth = len(stack)
                    left = 1.9 + 0.6 * (depth - 1)
                    self._runs_paragraph(
                        container, runs, ctx, prefix=item_prefix, left_cm=left, hanging_cm=0.6
                    )
                    item_prefix = ""
                else:
                    self._runs_paragraph(container, runs, ctx)

    def _runs_paragraph(
        self,
        container: Any,
        runs: list[_Run],
        ctx: _Ctx,
        *,
        prefix: str = "",
        left_cm: float | None = None,
        hanging_cm: float | None = None,
    ) -> None:
        paragraph = self.new_paragraph(container)
        paragraph.alignment = ALIGN.get(ctx.align, WD_ALIGN_PARAGRAPH.JUSTIFY)
        fmt = paragraph.paragraph_format
        if hanging_cm is not None:
            fmt.left_indent = Cm(left_cm or 0)
            fmt.first_line_indent = Cm(-hanging_cm) if prefix else Cm(0)
            fmt.space_after = Pt(3)
        else:
            fmt.first_line_indent = INDENT if ctx.indent else Cm(0)
            fmt.space_after = Pt(ctx.after)
        if prefix:
            paragraph.add_run(prefix)
        for run in runs:
            if run.brk:
                paragraph.add_run().add_break()
                continue
            r = paragraph.add_run(run.text)
            r.bold = run.bold or None
            r.italic = run.italic or None

    def _narrative_table(self, container: Any, rows: list[list[tuple[str, list[_Run]]]]) -> None:
        columns = max((len(r) for r in rows), default=0)
        if not columns:
            return
        table = container.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        width = Length(int(self.text_width() / columns))
        for column in table.columns:
            column.width = width
        for cells in rows:
            row = table.add_row()
            _cant_split(row)
            if cells and cells[0][0] == "th":
                _repeat_header(row)
            row_cells = _cells(row, table)
            for i, (tag, runs) in enumerate(cells[:columns]):
                cell = row_cells[i]
                cell.width = width
                paragraph = cell.paragraphs[0]
                paragraph.alignment = (
                    WD_ALIGN_PARAGRAPH.CENTER if tag == "th" else WD_ALIGN_PARAGRAPH.LEFT
                )
                fmt = paragraph.paragraph_format
                fmt.first_line_indent = Cm(0)
                fmt.space_after = Pt(0)
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                for run in runs:
                    if run.brk:
                        paragraph.add_run().add_break()
                        continue
                    r = paragraph.add_run(run.text)
                    r.bold = (run.bold or tag == "th") or None
                    r.italic = run.italic or None
                    r.font.size = Pt(12)
        spacer = container.add_paragraph()
        spacer.paragraph_format.space_after = Pt(2)
        spacer.paragraph_format.line_spacing = Pt(6)


# Helpers ------------------------------------------------------------------------------------


def _inline_runs(tok: Any) -> Iterator[_Run]:
    bold = italic = False
    for child in tok.children or []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "softbreak":
            yield _Run(" ", bold, italic)
        elif kind == "hardbreak":
            yield _Run("", brk=True)
        elif child.content:
            yield _Run(child.content, bold, italic)


def _inline_image(src: str) -> bytes | None:
    """PNG or JPEG bytes of an inline `data:` picture (an SVG drawn as PNG), else None."""
    head, _, payload = src.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        return None
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
    if head.startswith(("data:image/png", "data:image/jpeg")):
        return data
    if not head.startswith("data:image/svg+xml"):
        return None
    try:
        import cairosvg  # needs the system's libcairo2
    except OSError:
        logger.warning("docx: CairoSVG cannot load libcairo2; the chart is left out")
        return None
    try:
        # unsafe=False (the default): no external file, no XML entity, no huge picture.
        return cairosvg.svg2png(bytestring=data, dpi=150, unsafe=False)
    except Exception:  # a picture it cannot draw
        logger.warning("docx: an SVG picture could not be drawn and was left out")
        return None


def _collapse(runs: list[_Run]) -> list[_Run]:
    """HTML's white space: runs of spaces and line breaks are one space, none at the ends."""
    out: list[_Run] = []
    last_space = True
    for run in runs:
        if run.brk:
            out.append(run)
            last_space = True
            continue
        text = _SPACES.sub(" ", run.text)
        if last_space:
            text = text.lstrip(" ")
        if not text:
            continue
        last_space = text.endswith(" ")
        out.append(_Run(text, run.bold, run.italic, run.underline, run.size))
    while out and not out[-1].brk and out[-1].text.endswith((" ", "\xa0")):
        # A trailing no-break space holds an empty line open in the HTML; at the end of text
        # it is only a stray character in Word.
        stripped = out[-1].text.rstrip(" \xa0")
        if not stripped and len(out) == 1:
            break
        if stripped:
            out[-1] = _Run(stripped, out[-1].bold, out[-1].italic, out[-1].underline, out[-1].size)
            break
        out.pop()
    return out


def _column_cm(cell: HtmlElement) -> float:
    return next((COLUMN_CM[n] for n in classes_of(cell) if n in COLUMN_CM), 0.0)


# What may follow an element in its parent (WordprocessingML's sequence order): a new element
# goes before the first of them that is there, so that Word reads the file without repair.
_AFTER_PBDR = tuple(
    qn(f"w:{name}")
    for name in [
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)
_AFTER_TBLBORDERS = tuple(
    qn(f"w:{name}")
    for name in [
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
        "tblPrChange",
    ]
)


def _insert_ordered(parent: Any, child: Any, successors: tuple[str, ...]) -> None:
    for existing in parent:
        if existing.tag in successors:
            existing.addprevious(child)
            return
    parent.append(child)


def _no_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    _insert_ordered(tbl_pr, borders, _AFTER_TBLBORDERS)


def _cells(row: Any, table: Any) -> list[_Cell]:
    """The cells of a new row (no merged cells here), without python-docx's `row.cells`,
    which walks the whole table each time."""
    return [_Cell(tc, table) for tc in row._tr.tc_lst]


def _row_height(row: Any, mm: float) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(int(Mm(mm).twips)))
    height.set(qn("w:hRule"), "atLeast")
    tr_pr.append(height)


def _cant_split(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    tr_pr.append(element)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    tr_pr.append(element)

"""The small, safe markup of narrative text: paragraphs, bulleted and numbered lists, bold,
italic and simple (pipe) tables, and nothing else.

One parse (`tokens`, markdown-it-py) feeds every output: `to_html` renders its tokens for
the preview and the PDF, and the DOCX builder walks the same tokens. Raw HTML is never
markup here: markdown-it runs with html off, so `<script>` or `<img src=…>` stay text and
are escaped; links, images, headings and code are not enabled either, so `[x](javascript:…)`
is printed as typed. The rendered HTML then goes through nh3 (Ammonia) with an allow-list of
the few tags the markup can produce and no attribute but a list's start number: whatever a
future rule might let through, no `style` (CSS `url()`), `src` or `href` survives.

Line breaks keep the old rule of the textareas, "one line is one paragraph": a single line
break between two lines of text starts a new paragraph (in Markdown it would join them), so
every narrative typed before the markup existed prints as it did. Inside a list the lines
of its items stay together, and the rows of a table stay one table.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"}
)
ALLOWED_ATTRIBUTES = {"ol": {"start"}}

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+\S")
_TABLE_ROW = re.compile(r"^\s*\|")
_CONTINUATION = re.compile(r"^\s{2,}\S")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    return md.enable(["list", "table", "emphasis", "escape", "newline"])


def _line_kind(line: str, previous: str) -> str:
    if not line.strip():
        return "blank"
    if _TABLE_ROW.match(line):
        return "table"
    if _LIST_ITEM.match(line):
        return "list"
    if previous == "list" and _CONTINUATION.match(line):
        return "list"
    return "text"


def normalize(text: str | None) -> str:
    """The text with a blank line wherever a single line break separates paragraphs."""
    out: list[str] = []
    previous = "blank"
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        kind = _line_kind(line, previous)
        if kind != "blank" and previous != "blank":
            together = (kind == previous == "list") or (kind == previous == "table")
            if not together:
                out.append("")
        out.append(line.rstrip() if kind != "text" else line.strip())
        previous = kind
    return "\n".join(out).strip("\n")


def tokens(text: str | None) -> list[Token]:
    """The block tokens of the text (markdown-it-py), the one parse of every output."""
    return _parser().parse(normalize(text))


def clean(html: str) -> str:
    """Keep only the markup's own tags (nh3 / Ammonia allow-list)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
    )


def to_html(text: str | None) -> SafeString:
    """The text as safe HTML (empty for an empty text)."""
    found = tokens(text)
    if not found:
        return mark_safe("")  # noqa: S308 -- empty
    html = _parser().renderer.render(found, _parser().options, {})
    return mark_safe(clean(html))  # noqa: S308 -- cleaned by nh3 just above


def narrative_block(text: str | list[str] | None) -> SafeString:
    """The text as a block of a document: its HTML in a div that also carries the source,
    so that the DOCX builder walks the tokens of the same text instead of the HTML."""
    if isinstance(text, list | tuple):
        text = "\n".join(text)
    if not (text or "").strip():
        return mark_safe("")  # noqa: S308 -- empty
    return format_html('<div class="narrative" data-text="{}">{}</div>', text, to_html(text))

"""HTML -> PDF with WeasyPrint: one function, one font configuration per process.

The documents are built from the portal's own data, but their text is typed by users, so
the renderer never reaches out: the URL fetcher serves the portal's static files (the PDF
stylesheet) and inline `data:` images (the charts), and refuses everything else — no
network, no `file://`, no path taken from the data (WeasyPrint docs, "Security").

The FontConfiguration lives as long as the process. The stylesheet is parsed by each build
from the document's link, on purpose: a `CSS` object handed to WeasyPrint would be applied
with the "user" origin, below every author rule (a template's own <style> would then win
whatever its specificity), for about 2% of a build. `preload()` loads WeasyPrint, the
fonts, matplotlib and the DOCX builder with one small build, ahead of the first report: the
worker calls it when a process starts (reports/tasks.py), so the first report costs what
the second does.

The documents are rendered with WeasyPrint's user-agent stylesheet less its rules for a
bare pseudo-element (`user_agent_css`): see there why.
"""

from __future__ import annotations

import gc
import mimetypes
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join

# Relative links in the document resolve against this origin. ".invalid" never resolves
# (RFC 2606), and the fetcher below answers for it from disk without any network.
BASE_URL = "http://portal.invalid/"
STATIC_ORIGIN = "http://portal.invalid"
ALLOWED_DATA_TYPES = ("data:image/svg+xml", "data:image/png", "data:image/jpeg")

T = TypeVar("T")


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    page_count: int


class RefusedURL(ValueError):
    """A document asked for a resource the renderer does not serve."""


def _static_path(url: str) -> Path:
    """The file on disk behind a static URL of the portal, or RefusedURL."""
    parts = urlsplit(url)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN or not parts.path.startswith(
        static_prefix
    ):
        raise RefusedURL(f"not a static file of the portal: {url}")
    name = unquote(parts.path[len(static_prefix) :])
    if not name or "\x00" in name or any(p in ("..", "") for p in name.split("/")):
        raise RefusedURL(f"bad static file name: {url}")
    if settings.STATIC_ROOT:
        try:
            candidate = Path(safe_join(str(settings.STATIC_ROOT), name))
        except Exception as exc:  # SuspiciousFileOperation
            raise RefusedURL(f"outside the static files: {url}") from exc
        if candidate.is_file():
            return candidate
    found = finders.find(name)
    if not found:
        raise RefusedURL(f"no such static file: {url}")
    return Path(found)


def _make_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the portal's static files and inline images; refuses anything else."""

        def __init__(self):
            super().__init__(timeout=1, allowed_protocols=("http", "data"))

        def fetch(self, url, headers=None):
            if url.startswith(ALLOWED_DATA_TYPES):
                return super().fetch(url, headers)  # decoded in memory, nothing is fetched
            path = _static_path(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher()


_lock = threading.Lock()
_font_config = None


def font_config():
    """The process's FontConfiguration, created on first use and reused by every build."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


def url_fetcher():
    return _make_fetcher()


def html_to_pdf(html: str) -> RenderedPdf:
    """Lay out `html` (a document from reports.documents.render_html) and write the PDF."""
    return _render_pdf(html)


# A layout makes hundreds of thousands of small objects (boxes, styles), nearly all alive
# until the PDF is written. With the default threshold (700 allocations) the collector runs
# about 150 times a build and each older-generation pass walks every object of the process
# (Django, WeasyPrint, matplotlib: some 200,000): a quarter of a build's CPU, freeing
# nothing. During a build the youngest generation is collected every 50,000 allocations.
BUILD_GC_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], BUILD_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


# WeasyPrint's HTML user-agent stylesheet has rules whose selector is a bare pseudo-element
# (`::footnote-call { … }`). Such a rule matches every element, so the cascade computes a
# style for each of them on every element of a document: six more styles an element, 5-10 %
# of a year-end report's CPU. The documents have no footnotes and no notes, and only
# their <li> have markers. So the documents are rendered with that stylesheet less the
# footnote and note rules, and with `::marker` narrowed to `li::marker`; every page looks
# the same to the pixel (tests/reports/test_rendering.py renders both ways and compares).
UNUSED_UA_RULES = (
    "::footnote-call",
    "::footnote-marker",
    "::note-call",
    "::note-marker",
    "::note-callback",
)
NARROWED_UA_RULES = {"::marker": "li::marker"}


def user_agent_css() -> str:
    """The text of WeasyPrint's HTML user-agent stylesheet, less UNUSED_UA_RULES and with
    NARROWED_UA_RULES; a ValueError if a rule named there is not in it (a new WeasyPrint
    changed the stylesheet: look again at what to leave out)."""
    import tinycss2
    from weasyprint.html import UA

    kept, seen = [], set()
    for rule in tinycss2.parse_stylesheet(UA, skip_comments=True, skip_whitespace=True):
        selector = tinycss2.serialize(rule.prelude).strip() if rule.type == "qualified-rule" else ""
        if selector in UNUSED_UA_RULES:
            seen.add(selector)
            continue
        text = rule.serialize()
        if selector in NARROWED_UA_RULES:
            seen.add(selector)
            text = NARROWED_UA_RULES[selector] + text[len(tinycss2.serialize(rule.prelude)) :]
        kept.append(text)
    missing = (set(UNUSED_UA_RULES) | set(NARROWED_UA_RULES)) - seen
    if missing:
        raise ValueError(f"not in WeasyPrint's user-agent stylesheet: {sorted(missing)}")
    return "\n".join(kept)


_html_class = None


def _html() -> type:
    """weasyprint.HTML with the user-agent stylesheet of `user_agent_css` (built once)."""
    global _html_class
    if _html_class is None:
        with _lock:
            if _html_class is None:
                from weasyprint import CSS, HTML
                from weasyprint.css.counters import CounterStyle

                # Its @counter-style rules are the stock ones: parsed into a dictionary of
                # their own (the stock one is what `_ua_counter_style` hands to each build).
                sheet = CSS(string=user_agent_css(), counter_style=CounterStyle())

                class DocumentHTML(HTML):
                    def _ua_stylesheets(self, forms=False):
                        return [sheet]

                _html_class = DocumentHTML
    return _html_class


# CPython keeps the frames of Python calls in chunks of 16 KiB and, before the fix of
# gh-142183 (3.13 and 3.14 only), frees a chunk the moment its last frame returns. WeasyPrint's
# layout recurses deep; where a chunk ends among its hottest calls (the text of each table
# cell), every such call maps a new chunk and unmaps it on return: about 10,000 mmap/munmap
# pairs for a 30-member year-end report, a seventh of its CPU. So a build starts in a frame
# that reserves ROOMY_FRAME_SLOTS slots of evaluation stack it never uses: too big for the
# current chunk, the frame is given a new one of 512 KiB, and the ~250 KiB left above it hold
# all of WeasyPrint's frames (at its deepest a year-end report has 58 frames, 22 KiB, above
# it). The reserve is never written, so it costs address space, not memory; `code.replace`
# is CPython's documented way to make such a code object.
ROOMY_FRAME_SLOTS = 32_768


def _call(function: Callable[[], T]) -> T:
    return function()


_call_in_a_chunk_of_its_own = types.FunctionType(
    _call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + ROOMY_FRAME_SLOTS),
    _call.__globals__,
    "_call_in_a_chunk_of_its_own",
)


def _render_pdf(html: str) -> RenderedPdf:
    return _call_in_a_chunk_of_its_own(lambda: _build_pdf(html))


def _build_pdf(html: str) -> RenderedPdf:
    with _fewer_collections():
        document = _html()(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).render(
            font_config=font_config()
        )
        pdf = document.write_pdf()
    return RenderedPdf(pdf=pdf, page_count=len(document.pages))


# A page with every style of text the documents use (regular, bold, italic), so that the
# fonts are found and opened before the first report.
_WARM_UP_HTML = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
    '<link rel="stylesheet" href="{stylesheet}">'
    '<style>html {{ font-family: "{family}", "Times New Roman", serif; }}</style></head>'
    "<body><p>Cộng hòa xã hội chủ nghĩa Việt Nam</p><p><b>Độc lập - Tự do - Hạnh phúc</b></p>"
    "<p><i>Hải Phòng, ngày 29 tháng 12 năm 2025</i></p>"
    '<table class="grid"><tr><th>STT</th><td class="c-num">95,50</td></tr></table>'
    "</body></html>"
)


def preload() -> None:
    """Everything a first build would load, loaded now: WeasyPrint, the fonts, matplotlib
    (the charts) and the DOCX builder. Called by the worker when a process starts; safe to
    call again (what is loaded stays)."""
    from django.templatetags.static import static

    from pledges import charts

    from . import docx_builder  # noqa: F401  (python-docx and lxml: the worker builds both)

    _render_pdf(
        _WARM_UP_HTML.format(
            stylesheet=static("reports/pdf.css"), family=settings.REPORT_FONT_FAMILY
        )
    )
    charts.preload()

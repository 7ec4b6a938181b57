"""HTML -> PDF with WeasyPrint: one function, one font configuration per process.

The documents are built from the portal's own data, but their text is typed by users, so
the renderer never reaches out: the URL fetcher serves the portal's static files (the PDF
stylesheet) and inline `data:` images (the charts), and refuses everything else — no
network, no `file://`, no path taken from the data (WeasyPrint docs, "Security").
"""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join

# Relative links in the document resolve against this origin. ".invalid" never resolves
# (RFC 2606), and the fetcher below answers for it from disk without any network.
BASE_URL = "http://portal.invalid/"
STATIC_ORIGIN = "http://portal.invalid"
ALLOWED_DATA_TYPES = ("data:image/svg+xml", "data:image/png", "data:image/jpeg")


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
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).render(
        font_config=font_config()
    )
    pdf = document.write_pdf()
    return RenderedPdf(pdf=pdf, page_count=len(document.pages))

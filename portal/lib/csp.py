"""Content-Security-Policy helpers (the policy itself is settings.CONTENT_SECURITY_POLICY)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

_STYLE = re.compile(r"<style(?:\s[^>]*)?>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def _hash(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def style_hashes(html: str) -> list[str]:
    """The CSP source expressions ('sha256-…') of the <style> blocks of `html`."""
    return sorted({_hash(text) for text in _STYLE.findall(html)})


def allow_styles_of(response: HttpResponseBase, html: str) -> HttpResponseBase:
    """Let the page's policy allow exactly the <style> blocks of `html`, a document the page
    shows in a srcdoc frame (which inherits the page's policy). The same document, refreshed
    by htmx, keeps the same blocks, so the page's first policy keeps allowing them."""
    hashes = style_hashes(html)
    if hashes:
        response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]
    return response


# The one inline handler of django-import-export's export page (its "select all" box).
ADMIN_HANDLERS = ("onSelectToggleChange(event)",)


class AdminPolicyMiddleware:
    """The admin pages of django-simple-history and django-import-export carry a few style
    attributes (a padding, a bold label) and one inline handler that the portal's policy
    refuses. On /admin/ only, style attributes are allowed and that handler by its hash
    ('unsafe-hashes' allows only the handlers listed); other scripts and <style> blocks stay
    refused. Placed after csp.middleware.CSPMiddleware, which reads the update on the way
    out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            update = getattr(response, "_csp_update", None) or {}
            update["style-src-attr"] = ["'unsafe-inline'"]
            update["script-src"] = ["'unsafe-hashes'", *map(_hash, ADMIN_HANDLERS)]
            response._csp_update = update  # type: ignore[attr-defined]
        return response

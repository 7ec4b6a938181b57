"""Middleware of the base layer: what every response of the portal owes its users."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext, gettext_noop
from django.views.defaults import page_not_found

Handler = Callable[[HttpRequest], HttpResponseBase]

REQUEST_TOO_LARGE = gettext_noop("The request is %(size)s; the portal accepts at most %(limit)s.")


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user: pages,
    PDFs, spreadsheets and calendars hold one bloc's data and must not stay in a shared cache
    (a proxy) or in the browser's cache of a shared computer after logout."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # An error page is never cached either, and asking for the user there could meet the
        # database outage that caused it a second time (and log it twice).
        if response.status_code >= 500 or self._authenticated(request):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _authenticated(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body exceeds PORTAL_REQUEST_MAX_BYTES before a byte of
    it is read (413), so a 200 MB upload costs nothing. The proxy in front has the same limit
    (client_max_body_size in deploy/nginx.conf) and also stops bodies without a length."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.PORTAL_REQUEST_MAX_BYTES
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if limit and size > limit:
            message = gettext(REQUEST_TOO_LARGE) % {
                "size": filesizeformat(size),
                "limit": filesizeformat(limit),
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class OwnNotFoundPageMiddleware:
    """With DEBUG on (`make run`, the embedded default) Django answers a missing page with its
    technical 404, which lists the URL patterns and looks like a crash to the officials trying
    the portal. This shows the portal's own 404 page instead, for URLs that match nothing and
    for views that raise Http404. Developers who want the technical page set
    DEBUG_TECHNICAL_404=true; with DEBUG off Django shows the portal's page by itself."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.active = settings.DEBUG and not getattr(settings, "DEBUG_TECHNICAL_404", False)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # No view was found: the resolver's 404, which no process_exception sees.
        if self.active and response.status_code == 404 and request.resolver_match is None:
            return self._page(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if self.active and isinstance(exception, Http404):
            return self._page(request)
        return None

    @staticmethod
    def _page(request: HttpRequest) -> HttpResponse:
        return page_not_found(request, Http404())

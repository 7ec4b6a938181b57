from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from portal.urls import urlpatterns as product

_BARE = engines["django"].from_string(
    "<!doctype html><title>bare</title><p>{{ user.get_username }} {{ now }}</p>"
)


def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: the same middleware and session, a template, no query of the portal."""
    return HttpResponse(_BARE.render({"user": request.user, "now": "–"}, request))


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *product]

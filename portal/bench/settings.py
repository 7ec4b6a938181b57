"""Settings of the benchmark's gunicorn: the product's, plus the measuring middleware and
the bare view's URL. Anything else would make the figures say less about production."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "portal.bench.urls"
# Outermost, so that the time and the queries it reports are the whole request's.
MIDDLEWARE = ["portal.bench.middleware.measure", *MIDDLEWARE]  # noqa: F405

# The portal's image: web (gunicorn) and worker (celery) run from it; see docker-compose.yml.

# psycopg's C implementation is compiled in a stage of its own, so that the compiler and the
# PostgreSQL headers stay out of the image (requirements-speedups.txt says why).
FROM python:3.11-slim-bookworm AS psycopg-c
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements-speedups.txt ./
RUN pip wheel --no-cache-dir --no-deps --require-hashes -r requirements-speedups.txt -w /wheels

FROM python:3.11-slim-bookworm

# MPLCONFIGDIR: matplotlib's cache must be writable, and the image's HOME (/app) is not.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

# WeasyPrint needs Pango and HarfBuzz (subsetting); fonts-liberation2 is the Times-compatible
# font with every Vietnamese glyph (fonts-liberation 1.x lacks them); gettext compiles translations;
# Cairo draws the chart of the DOCX (CairoSVG); libpq5 is the PostgreSQL client library
# psycopg's C implementation links to.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 gettext libcairo2 libpq5 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 portal \
    && useradd --system --uid 1000 --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app
# The runtime lock: every package pinned with its hashes (make lock writes it).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY --from=psycopg-c /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels

COPY . .
RUN mkdir -p var/media var/static locale && chown -R portal:portal var locale
USER portal

# Static files and translations are part of the image, collected once here and never at start
# (dummy key of the required length and no mail: nothing secret is built, nothing is sent).
RUN DEBUG=false SECRET_KEY=image-build-only-not-a-secret-0123456789abcdefghijklmnop \
    ALLOWED_HOSTS='*' EMAIL_CONSOLE_ALLOWED=true sh -c \
    'python manage.py collectstatic --noinput \
     && if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then python manage.py compilemessages; fi'

EXPOSE 8000
# gunicorn 27 opens a control socket under $HOME by default: not in a container.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--no-control-socket", "--access-logfile", "-"]

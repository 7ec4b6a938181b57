# The portal's image: web (gunicorn) and worker (celery) run from it; see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz (subsetting); fonts-liberation2 is the Times-compatible
# font with every Vietnamese glyph (fonts-liberation 1.x lacks them); gettext compiles translations;
# Cairo draws the chart of the DOCX (CairoSVG).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 gettext libcairo2 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 portal \
    && useradd --system --uid 1000 --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
RUN mkdir -p var/media var/static locale && chown -R portal:portal var locale
USER portal

# Static files and translations are part of the image (dummy key: nothing secret is built).
RUN DEBUG=false SECRET_KEY=build ALLOWED_HOSTS='*' sh -c \
    'python manage.py collectstatic --noinput \
     && if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then python manage.py compilemessages; fi'

EXPOSE 8000
# gunicorn 27 opens a control socket under $HOME by default: not in a container.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--no-control-socket", "--access-logfile", "-"]

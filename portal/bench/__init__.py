"""The benchmark's own settings, URLs and measuring middleware (`make bench`).

Nothing here is part of the product: `portal.bench.settings` is only loaded by the gunicorn
that `manage.py bench_pages` starts, and its one extra URL (a bare template view, the
baseline every page is compared with) exists only there.
"""

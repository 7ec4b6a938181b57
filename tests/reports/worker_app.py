"""The Celery app for worker subprocesses started by tests/reports/test_worker.py.

It is the portal's own app (`portal.celery.app`) with the real renderer, plus two switches a
test flips through files in REPORT_TEST_DIR, so that a real worker can be made to fail once
or to hang mid-build:

- `fail-once`: the next build raises a ConnectionError (a transient error) and removes the file;
- `block`: builds write `started` (with the pid of the process building) and then wait while
  the file exists, so that the test can kill that process or let a time limit strike.
"""

import os
import time
from pathlib import Path

from portal.celery import app  # noqa: F401  (celery -A tests.reports.worker_app)

import django  # isort: skip

django.setup()

from reports import rendering  # noqa: E402

SWITCHES = Path(os.environ["REPORT_TEST_DIR"])
_real_html_to_pdf = rendering.html_to_pdf


def _html_to_pdf(html: str):
    fail_once = SWITCHES / "fail-once"
    if fail_once.exists():
        fail_once.unlink()
        raise ConnectionError("test switch: the connection dropped once")
    block = SWITCHES / "block"
    if block.exists():
        (SWITCHES / "started").write_text(str(os.getpid()))
        while block.exists():
            time.sleep(0.1)
    return _real_html_to_pdf(html)


rendering.html_to_pdf = _html_to_pdf

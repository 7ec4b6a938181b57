"""The worker's preload: what a new worker process has loaded before its first build.

Each check runs in a fresh Python process (the test process has WeasyPrint and matplotlib
loaded already), which sends Celery's own signals the way a worker does and prints what it
then finds loaded, as JSON. Behaviour only: no timing is asserted here (bench_reports
prints the first- and second-build figures).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from reports import rendering

BASE_DIR = Path(__file__).resolve().parent.parent.parent

PROBE = """
import gc, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django
django.setup()
from celery import signals
from django.template import engines
from reports import rendering, tasks  # the worker imports its tasks before any build

def loaded():
    loader = engines["django"].engine.template_loaders[0]
    return {
        "weasyprint": "weasyprint" in sys.modules,
        "svg_backend": "matplotlib.backends.backend_svg" in sys.modules,
        "docx": "docx" in sys.modules,
        "fonts": rendering._font_config is not None,
        "year_end_template": any(
            "year_end.html" in str(key) for key in getattr(loader, "get_template_cache", {})
        ),
        "frozen": gc.get_freeze_count(),
    }

before = loaded()
SEND
after = loaded()
fonts = rendering.font_config()
rendering.html_to_pdf("<p>Báo cáo</p>")
rendering.html_to_pdf("<p>Báo cáo tổng kết</p>")
print(json.dumps({"before": before, "after": after,
                  "same_fonts": rendering.font_config() is fonts}))
"""


def probe(send: str) -> dict:
    code = PROBE.replace("SEND", textwrap.dedent(send).strip())
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_pool_process_starts_with_the_renderer_loaded():
    found = probe("signals.worker_process_init.send(sender=None)")
    assert not found["before"]["weasyprint"]
    assert not found["before"]["fonts"]
    assert not found["before"]["svg_backend"]
    assert found["after"] == {
        "weasyprint": True,
        "svg_backend": True,
        "docx": True,
        "fonts": True,
        "year_end_template": True,
        "frozen": found["after"]["frozen"],
    }
    # What was loaded is kept out of the collector's full passes.
    assert found["after"]["frozen"] > found["before"]["frozen"]
    # The builds after the preload use the font configuration it made: one per process.
    assert found["same_fonts"]


def test_the_prefork_parent_leaves_the_loading_to_its_children():
    # worker_init runs in the parent before the fork: fonts opened there would be shared
    # by every child, so only the solo and thread pools (one process) load there.
    found = probe(
        """
        class Worker:
            pool_cls = "prefork"
        signals.worker_init.send(sender=Worker())
        """
    )
    assert not found["after"]["fonts"]
    assert not found["after"]["weasyprint"]


def test_a_solo_worker_loads_the_renderer_at_start():
    found = probe(
        """
        from celery.concurrency.solo import TaskPool
        class Worker:
            pool_cls = TaskPool
        signals.worker_init.send(sender=Worker())
        """
    )
    assert found["after"]["fonts"]
    assert found["after"]["svg_backend"]
    assert found["after"]["year_end_template"]


def test_a_build_gives_the_collector_its_thresholds_back():
    before = gc.get_threshold()
    rendering.html_to_pdf("<p>Báo cáo</p>")
    assert gc.get_threshold() == before

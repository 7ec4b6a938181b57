"""The Content-Security-Policy and the other security headers of every page (issue 14), and
the templates that make such a policy possible: no inline handler, script or style."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from portal.lib.csp import style_hashes

from .conftest import ROLES
from .test_access_matrix import MATRIX

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Documents for WeasyPrint, shown in the browser only inside the editor's preview frame,
# whose page allows their <style> blocks by hash (test below).
DOCUMENTS = TEMPLATES / "reports" / "pdf"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def _check_headers(response, *, admin=False):
    directives = _directives(response)
    policy = response.headers.get("Content-Security-Policy", "")
    assert directives.get("default-src") == "'self'", policy
    if not admin:
        assert directives.get("script-src") == "'self'", policy
        assert "style-src-attr" not in directives, policy
    assert "'unsafe-inline'" not in directives.get("style-src", ""), policy
    assert directives.get("frame-ancestors") == "'none'", policy
    assert directives.get("object-src") == "'none'", policy
    assert "camera=()" in response.headers.get("Permissions-Policy", "")
    assert "geolocation=()" in response.headers.get("Permissions-Policy", "")
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_page_of_the_access_matrix_has_the_security_headers(name, world, client_for):
    url = reverse(name, kwargs=MATRIX[name].kwargs(world))
    # As the admin, or as the first role the matrix lets open it (a notice opens for its
    # recipient only).
    expected = dict(zip(ROLES, MATRIX[name].expected, strict=True))
    role = (
        "admin"
        if expected["admin"] != 404
        else next(r for r in ROLES if r != "anonymous" and expected[r] in (200, 302))
    )
    response = client_for(role).get(url)
    assert response.status_code in (200, 302, 403, 405), response
    _check_headers(response)


@pytest.mark.parametrize("name", ["login", "password_reset", "blocs:bloc_list"])
def test_anonymous_pages_and_redirects_have_them_too(name, client, db):
    _check_headers(client.get(reverse(name)))


def test_the_admin_has_them_with_only_its_listed_exceptions(admin_client):
    response = admin_client.get(reverse("admin:index"))
    _check_headers(response, admin=True)
    directives = _directives(response)
    # import-export's one handler, by its hash; no 'unsafe-inline' script
    assert directives["script-src"].split() == [
        "'self'",
        "'unsafe-hashes'",
        "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",  # onSelectToggleChange(event)
    ]
    assert directives["style-src-attr"] == "'unsafe-inline'"


INLINE = [
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler (on…=)"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I), "a script"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if DOCUMENTS not in path.parents:
            yield path


def test_no_template_has_inline_script_handlers_or_styles():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in _page_templates()
        for pattern, what in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_checker_finds_an_inline_handler():
    # The check above would pass on an empty folder; make sure its patterns bite.
    sample = '<button onclick="x()">a</button><div style="a"></div><script>x()</script><style>'
    assert all(pattern.search(sample) for pattern, _ in INLINE[:4])
    assert not any(p.search('<script src="/static/a.js"></script>') for p, _ in INLINE)


def test_the_editor_page_allows_exactly_its_preview_s_styles(world, client_for):
    from blocs.models import current_year
    from tests.reports.helpers import make_draft

    draft = make_draft(world.bloc, current_year())
    response = client_for("secretariat").get(reverse("reports:draft_edit", args=[draft.pk]))
    assert response.status_code == 200
    preview = response.context["preview"]
    hashes = style_hashes(preview)
    assert hashes, "the document template has its font <style> block"
    style_src = next(
        part
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip().startswith("style-src ")
    )
    assert all(h in style_src for h in hashes)
    # the htmx refresh of the preview keeps the same blocks, so the page's hashes still apply
    refreshed = client_for("secretariat").post(
        reverse("reports:draft_preview", args=[draft.pk]), {"title": "Báo cáo"}
    )
    assert style_hashes(refreshed.context["preview"]) == hashes

"""The admin's navigation sidebar is rendered once for what it shows and then read from the
cache (templates/admin/nav_sidebar.html): the same HTML as rendering it, never stale when
the person's rights, language or page change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.template import Context
from django.urls import reverse
from django.utils import translation

from portal.templatetags.admin_sidebar import nav_sidebar_key
from tests.factories import UserFactory

ORGANIZATIONS = reverse("admin:blocs_organization_changelist")
MEMBERSHIPS = reverse("admin:blocs_membership_changelist")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _sidebar(response) -> str:
    match = re.search(
        r'<nav class="sticky" id="nav-sidebar".*?</nav>', response.content.decode(), re.S
    )
    assert match, "no sidebar on the page"
    return match.group(0)


def _rendered_app_list(response) -> bool:
    return "admin/app_list.html" in [t.name for t in response.templates]


def _current_models(sidebar: str) -> list[str]:
    return re.findall(r'<tr class="model-(\w+) current-model">', sidebar)


def test_the_second_page_reads_the_sidebar_from_the_cache_the_same(admin_client, settings):
    first = admin_client.get(ORGANIZATIONS)
    second = admin_client.get(ORGANIZATIONS)
    assert _rendered_app_list(first) and not _rendered_app_list(second)
    assert _sidebar(second) == _sidebar(first)
    # ...and what Django itself renders, with no cache at all.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    uncached = admin_client.get(ORGANIZATIONS)
    assert _rendered_app_list(uncached)
    assert _sidebar(uncached) == _sidebar(second)
    assert 'href="/admin/blocs/membership/"' in _sidebar(second)


def test_the_current_page_is_marked_on_each_page(admin_client):
    admin_client.get(ORGANIZATIONS)
    assert _current_models(_sidebar(admin_client.get(ORGANIZATIONS))) == ["organization"]
    assert _current_models(_sidebar(admin_client.get(MEMBERSHIPS))) == ["membership"]
    # A change page belongs to its model's entry, as in Django's sidebar.
    response = admin_client.get(reverse("admin:blocs_organization_add"))
    assert _current_models(_sidebar(response)) == ["organization"]


def test_a_right_given_shows_at_once(client, db):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client.force_login(staff)
    sidebar = _sidebar(client.get(ORGANIZATIONS))
    assert 'href="/admin/blocs/organization/"' in sidebar
    assert "/admin/blocs/membership/" not in sidebar
    staff.user_permissions.add(Permission.objects.get(codename="view_membership"))
    sidebar = _sidebar(client.get(ORGANIZATIONS))
    assert 'href="/admin/blocs/membership/"' in sidebar
    # View only: no "add" link for either.
    assert "/admin/blocs/membership/add/" not in sidebar
    staff.user_permissions.add(Permission.objects.get(codename="add_membership"))
    assert "/admin/blocs/membership/add/" in _sidebar(client.get(ORGANIZATIONS))


def test_each_language_has_its_own_sidebar(admin_client):
    vietnamese = _sidebar(admin_client.get(ORGANIZATIONS))
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = _sidebar(admin_client.get(ORGANIZATIONS))
    assert 'placeholder="Start typing to filter…"' in english
    assert 'placeholder="Start typing to filter…"' not in vietnamese
    admin_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert _sidebar(admin_client.get(ORGANIZATIONS)) == vietnamese


def test_the_key_holds_the_language_even_where_no_name_is_translated(rf):
    # The filter's placeholder and the "no permission" line are the only words of some
    # sidebars that change with the language: the key must say which language it is.
    app = {"app_label": "x", "app_url": "/admin/x/", "name": "X", "models": []}
    context = Context({"request": rf.get("/admin/x/"), "available_apps": [app]})
    with translation.override("vi"):
        vietnamese = nav_sidebar_key(context)
    with translation.override("en"):
        english = nav_sidebar_key(context)
    assert vietnamese != english

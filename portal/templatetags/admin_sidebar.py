"""`{% nav_sidebar_key %}`: what the admin's navigation sidebar shows, as one string, so
that templates/admin/nav_sidebar.html can keep the rendered sidebar in the cache under it.

Every admin page renders the sidebar: one row a model, 40-odd rows, each with its links and
a test of whether it is the current page. That is 10-25 % of a changelist's CPU (3-13 ms),
the same for every page of an app and for every person with the same rights. The key holds
everything the rendered HTML depends on, and nothing else: the language, each app and model
the person may see (name, links, view-only) and which of them the current page is part of.
A change of rights, of language or of page changes the key, so a cached sidebar is never
stale; there is nothing to invalidate.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sidebar_key(context: template.Context) -> str:
    request = context.get("request")
    # As the template tests it: `url in request.path|urlencode`.
    path = quote(request.path, safe="/") if request is not None else ""
    parts = [translation.get_language() or ""]
    for app in context.get("available_apps") or ():
        parts.append(f"{app['app_label']}|{app['app_url']}|{app['name']}|{app['app_url'] in path}")
        for model in app["models"]:
            admin_url = model.get("admin_url") or ""
            parts.append(
                f"{model['object_name']}|{model['name']}|{admin_url}|"
                f"{model.get('add_url') or ''}|{model.get('view_only')}|"
                f"{bool(admin_url) and admin_url in path}"
            )
    return "\n".join(parts)

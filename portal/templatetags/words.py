"""`{% filter for_bloc:bloc %}…{% endfilter %}`: "khối" or "cụm" by the bloc's kind in the
sentences of a page about one bloc (loaded as a builtin, see settings)."""

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

from portal.lib.text import for_kind, has_kind_forms

register = template.Library()

# The values of form fields: a textarea's text and the value attribute of inputs.
_TYPED = re.compile(r"<textarea\b.*?</textarea>|\bvalue=\"[^\"]*\"", re.S | re.I)


@register.filter(name="for_bloc", is_safe=True)
def for_bloc(text: str, bloc: object) -> str:
    """Without a bloc (a page about many), the text is left as written."""
    kind = getattr(bloc, "kind", None)
    # A page without "khối/cụm" (most pages) is left at once: a grid of inputs split at
    # each typed value cost 4 ms of a 140 KiB page.
    if not kind or not has_kind_forms(text):
        return text
    cluster = kind == "cum"  # Bloc.Kind.CUM
    # What a person typed is never rewritten: a form shows it back as it is stored.
    parts, start = [], 0
    for typed in _TYPED.finditer(str(text)):
        parts += [for_kind(text[start : typed.start()], cluster=cluster), typed.group()]
        start = typed.end()
    replaced = "".join([*parts, for_kind(text[start:], cluster=cluster)])
    # Only words are replaced, never markup: safe text stays safe.
    return mark_safe(replaced) if isinstance(text, SafeString) else replaced  # noqa: S308


@register.simple_tag(takes_context=True)
def page_bloc(context: template.Context) -> object:
    """The one bloc a page is about: its `bloc`, or that of its read model (`page`), pledge,
    meeting or draft; None on a page about many."""
    bloc = context.get("bloc")
    if bloc is not None:
        return bloc
    for name in ("page", "pledge", "meeting", "draft"):
        bloc = getattr(context.get(name), "bloc", None)
        if bloc is not None:
            return bloc
    return None

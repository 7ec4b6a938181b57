"""`{{ text|narrative }}`: a narrative (a text, or its lines) as the document's safe HTML."""

from django import template
from django.utils.safestring import SafeString

from portal.lib.markup import narrative_block

register = template.Library()


@register.filter
def narrative(text: str | list[str] | None) -> SafeString:
    return narrative_block(text)

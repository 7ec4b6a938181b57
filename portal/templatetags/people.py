"""`{{ user|person }}`: a person's name the Vietnamese way (loaded as a builtin, see settings)."""

from django import template

from portal.lib.people import person_name

register = template.Library()


@register.filter(name="person")
def person(user: object) -> str:
    """ "Trần Thị Hoa", or the username of an account without a name."""
    return person_name(user)

"""The language of a request: Vietnamese unless the person chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office PC running
English Windows and Chrome would open the portal in English. Here the browser is not asked:
the language switch (the cookie that `set_language` writes) wins, else LANGUAGE_CODE.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    """The language the person chose with the switch, or the portal's own (LANGUAGE_CODE)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = {code for code, _name in settings.LANGUAGES}
    if chosen in supported and translation.check_for_language(chosen):
        return chosen
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without the Accept-Language guess (no i18n_patterns in the portal)."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

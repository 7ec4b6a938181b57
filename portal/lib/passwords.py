"""Password validators of the portal (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.utils.translation import gettext as _

VIETNAMESE_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-vi.txt"


class VietnameseCommonPasswordValidator(CommonPasswordValidator):
    """Refuses the passwords Vietnamese users pick most (`matkhau123`, `123456789abc` …),
    which Django's English list lacks. The list is a plain text file in the repository, one
    password a line, compared without case like Django's own list."""

    def __init__(self, password_list_path: str | Path = VIETNAMESE_LIST) -> None:
        super().__init__(password_list_path)

    def get_error_message(self) -> str:
        return _("This password is common in Vietnam and easy to guess.")

    def get_help_text(self) -> str:
        return _("Your password can’t be one that is common in Vietnam, such as “matkhau123”.")

"""Text helpers shared by every app."""

import re
import unicodedata

# C0 and C1 control characters (NUL, tab, CR, LF, ...) and the Unicode line/paragraph
# separators: none belongs in a one-line value (a title, a name, a search), and PostgreSQL
# refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text or "") is not None


def single_line(text: str) -> str:
    """The text on one line: every control character becomes a space, spaces collapse."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text or "").split())


def fold(text: str) -> str:
    """Lower-case, accent-free form of Vietnamese text for searching.

    "Thành đoàn" -> "thanh doan". Đ/đ is a letter of its own, not a d with a
    combining mark, so NFD leaves it alone: map it first.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())

"""Text helpers shared by every app."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free form of Vietnamese text for searching.

    "Thành đoàn" -> "thanh doan". Đ/đ is a letter of its own, not a d with a
    combining mark, so NFD leaves it alone: map it first.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())

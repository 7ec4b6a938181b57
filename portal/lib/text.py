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


def sentence(text: str) -> str:
    """`text` ending with exactly one full stop, whatever it ended with: a name that ends in
    one ("Công ty A.") and the "." a sentence adds make one, never "..".

    "Hội LHPN thành phố" -> "Hội LHPN thành phố."; "Công ty A.." -> "Công ty A.";
    a question, an exclamation or an ellipsis ("…") is left as it is.
    """
    text = " ".join((text or "").split())
    if not text or text.endswith(("!", "?", "…")):
        return text
    return text.rstrip(". ") + "."


def without_stop(text: str) -> str:
    """`text` without its final full stops, for a phrase that a sentence goes on after
    ("Địa điểm: {place} ({host} đăng cai).")."""
    text = " ".join((text or "").split())
    return text if text.endswith("…") else text.rstrip(". ")

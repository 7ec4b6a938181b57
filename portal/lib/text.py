"""Text helpers shared by every app."""

import re
import unicodedata
from typing import Any

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


def nfc(text: str) -> str:
    """The composed (NFC) form with single spaces: a name pasted from a PDF or typed on a Mac
    (decomposed, NFD) is stored as the same characters as one typed on Windows."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


# Vietnamese alphabetical order (TCVN 5712 / dictionary order): a ă â b c d đ e ê g h i k l m n
# o ô ơ p q r s t u ư v x y; f j w z (foreign words) sit where Latin puts them. The tone of a
# syllable counts after its letters: ngang, huyền, hỏi, ngã, sắc, nặng.
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)
# Every unit of the key is two digits, so the key sorts the same under any database collation
# (C, ICU root, en_US: digits are never ignored or reordered). A word is its letters (02–11
# the digits, 12 on the letters), 00, then its tone (00–05); 01 comes between words. Words
# compare one after the other, as in a dictionary: "Uy tín" before "Ủy ban".
_WORD = "01"
_END = "00"
_CODES = {str(d): f"{d + 2:02d}" for d in range(10)} | {
    letter: f"{i + 12:02d}" for i, letter in enumerate(_LETTERS)
}


def _letters_and_tone(word: str) -> tuple[str, int]:
    """The word's letters (with ă â đ ê ô ơ ư as letters of their own) and its tone."""
    tone = 0
    letters: list[str] = []
    for ch in unicodedata.normalize("NFD", word.casefold()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch in _LETTER_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        elif not unicodedata.combining(ch):
            letters.append(ch)
    return "".join(letters), tone


def sort_key(text: str) -> str:
    """A key that orders Vietnamese text alphabetically when compared as plain strings.

    "Đài" < "Ủy ban" < "Ưu" < "Viện"; "các đoàn thể" < "các tổ chức"; "Uỷ" and "Ủy" (old and
    new tone placement) and the NFC and NFD forms give the same key. Punctuation separates
    words; letters outside the alphabet sort after z.
    """
    # Numbers by value: "số 2" before "số 10" (runs of digits padded to the same width).
    padded = re.sub(r"\d+", lambda m: m.group().rjust(8, "0"), nfc(text))
    words = [w for w in re.split(r"[\W_]+", padded) if w]
    units: list[str] = []
    for word in words:
        letters, tone = _letters_and_tone(word)
        if units:
            units.append(_WORD)
        units.extend(_CODES.get(ch, "99") for ch in letters)
        units.append(f"{_END}{tone:02d}")
    return "".join(units)


def same_name_key(text: str) -> str:
    """What two names must share to be the same name: letters and tones of each word, whatever
    the case, the Unicode form or the tone placement ("Uỷ ban" = "Ủy ban", "hoà" = "hòa")."""
    return sort_key(text)


# Vietnamese sentences that name "the bloc" were written for both kinds ("trưởng khối/cụm").
# Where the bloc is known they must say which: a khối has a "trưởng khối", a cụm a "cụm
# trưởng". Longest forms first.
_KIND_FORMS = (
    ("Trưởng, phó khối/cụm", "Trưởng, phó khối", "Cụm trưởng, cụm phó"),
    ("trưởng, phó khối/cụm", "trưởng, phó khối", "cụm trưởng, cụm phó"),
    ("trưởng hoặc phó khối/cụm", "trưởng hoặc phó khối", "cụm trưởng hoặc cụm phó"),
    ("Trưởng khối/cụm", "Trưởng khối", "Cụm trưởng"),
    ("trưởng khối/cụm", "trưởng khối", "cụm trưởng"),
    ("Phó khối/cụm", "Phó khối", "Cụm phó"),
    ("phó khối/cụm", "phó khối", "cụm phó"),
    ("Khối/cụm", "Khối", "Cụm"),
    ("khối/cụm", "khối", "cụm"),
    ("Khối/Cụm", "Khối", "Cụm"),
)


def has_kind_forms(text: str) -> bool:
    """Says "khối/cụm" somewhere (every form above ends so): two substring searches, where
    the replacements are ten, and most text has none (a whole page is asked, see
    portal.templatetags.words)."""
    return "/cụm" in text or "/Cụm" in text


def for_kind(text: str, *, cluster: bool) -> str:
    """The text with "khối/cụm" said for one kind: "trưởng khối/cụm" becomes "cụm trưởng"
    for a cluster (cụm), "trưởng khối" for a bloc (khối)."""
    if not has_kind_forms(text):
        return text
    for both, khoi, cum in _KIND_FORMS:
        text = text.replace(both, cum if cluster else khoi)
    return text


def unix_newlines(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """pre_save, for every model: a text field's line endings stored as "\\n".

    A browser posts a textarea's lines with "\\r\\n", services and imports write "\\n": without
    this, saving a form that changed only a deadline rewrote the legal basis ("\\r\\n" for
    "\\n") and the history recorded a change nobody made. On save rather than in each form,
    so the admin, the portal's forms, imports and services all store the same text."""
    from django.db import models

    if raw:  # loading a fixture stores what it holds
        return
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and "\r" in value:
                setattr(instance, field.attname, value.replace("\r\n", "\n").replace("\r", "\n"))

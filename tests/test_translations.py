"""The Vietnamese catalogue is complete, compiled, and actually used.

Users' machines have no GNU gettext, so the compiled ``django.mo`` is committed next to
``django.po``. These tests read both files directly (no polib: it is not a requirement):

- every entry of the .po has a translation and none is marked fuzzy;
- placeholders (``%(name)s``, ``%s``, ``{name}``) and HTML tags survive translation;
- the .mo holds exactly the .po's translations, so editing the .po without running
  ``manage.py compilemessages`` fails here;
- Django really serves the Vietnamese strings (and keeps English for ``en``).

Strings added to the code after the last ``makemessages`` are not checked here: they are
picked up by the next translation round (see ``locale/README.md``).
"""

from __future__ import annotations

import gettext as gnu_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

BASE_DIR = Path(__file__).resolve().parent.parent
PO_PATH = BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")


# --- A small .po reader -------------------------------------------------------------------


@dataclass
class Entry:
    lineno: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.lineno}: {ctx}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPE_RE = re.compile(r"\\(.)")


def _unquote(text: str, path: Path, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included; obsolete (``#~``) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    pending_flags: set[str] = set()
    target: tuple[str, int | None] | None = None  # which string continuation lines extend

    def start(lineno: int) -> Entry:
        nonlocal current, pending_flags
        current = Entry(lineno=lineno, flags=pending_flags)
        pending_flags = set()
        entries.append(current)
        return current

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            target = None
            continue
        if line.startswith("#~"):
            target = None
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{lineno}: string continuation outside an entry")
            text = _unquote(line, path, lineno)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
            continue
        text = _unquote(rest, path, lineno)
        if keyword == "msgctxt":
            entry = start(lineno)
            entry.msgctxt, target = text, ("msgctxt", None)
        elif keyword == "msgid":
            # A msgctxt opens the entry its msgid belongs to.
            entry = current if target == ("msgctxt", None) else start(lineno)
            entry.msgid, target = text, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = text, ("msgid_plural", None)
        elif keyword == "msgstr":
            current.msgstr[0], target = text, ("msgstr", 0)
        elif (match := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            index = int(match.group(1))
            current.msgstr[index], target = text, ("msgstr", index)
        else:
            raise ValueError(f"{path}:{lineno}: unexpected line {raw!r}")
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l vi"
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    return [entry for entry in entries if not entry.is_header]


def _failure(title: str, offenders: list[str]) -> str:
    shown = "\n  ".join(offenders[:50])
    more = f"\n  … and {len(offenders) - 50} more" if len(offenders) > 50 else ""
    return f"{title} ({len(offenders)}):\n  {shown}{more}"


# --- (a) Complete, nothing fuzzy -----------------------------------------------------------


def test_header_is_vietnamese_with_one_plural_form(entries):
    header = next((entry for entry in entries if entry.is_header), None)
    assert header is not None, "the .po has no header entry"
    assert "fuzzy" not in header.flags, "the header is marked fuzzy: check it and drop the flag"
    fields = dict(line.split(":", 1) for line in header.msgstr[0].splitlines() if ":" in line)
    assert fields.get("Language", "").strip() == "vi"
    assert fields.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in fields.get("Content-Type", "")


def test_catalogue_is_not_empty(messages):
    # Guards the parser as much as the catalogue: a broken reader would pass the other tests.
    assert len(messages) > 100
    assert any(entry.msgid == "Bloc chair" for entry in messages)


def test_every_message_is_translated(messages):
    offenders = [
        entry.label
        for entry in messages
        if not entry.msgstr or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not offenders, _failure("Untranslated messages in django.po", offenders)


def test_no_fuzzy_message(messages):
    offenders = [
        f"{entry.label} -> {entry.msgstr.get(0)!r}" for entry in messages if "fuzzy" in entry.flags
    ]
    assert not offenders, _failure(
        "Fuzzy messages in django.po (check the translation, then remove '#, fuzzy')", offenders
    )


def test_plural_messages_have_exactly_one_form(messages):
    offenders = [
        entry.label
        for entry in messages
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0]
    ]
    assert not offenders, _failure("Plural entries need exactly msgstr[0]", offenders)


PLACEHOLDER_RE = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[A-Za-z_]\w*\}")
TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*")


def test_placeholders_and_tags_are_kept(messages):
    offenders = []
    for entry in messages:
        # Vietnamese has one form, which stands for the plural: compare plurals with it.
        source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
        for text in entry.msgstr.values():
            for pattern in (PLACEHOLDER_RE, TAG_RE):
                wanted = set(pattern.findall(source))
                got = set(pattern.findall(text))
                if text and got != wanted:
                    offenders.append(f"{entry.label}: expected {sorted(wanted)}, got {sorted(got)}")
    assert not offenders, _failure("Placeholders or HTML tags changed", offenders)


# --- (b) The committed .mo matches the .po -------------------------------------------------


def test_mo_is_compiled_from_the_current_po(messages):
    assert MO_PATH.exists(), (
        f"{MO_PATH} is missing: run `manage.py compilemessages -l vi --ignore=.venv` and "
        "commit the .mo (users have no gettext)"
    )
    with MO_PATH.open("rb") as handle:
        catalog = gnu_gettext.GNUTranslations(handle)
    offenders = []
    for entry in messages:
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # reported by the tests above; msgfmt leaves these out of the .mo
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = catalog.gettext(entry.msgid)
            else:
                got = catalog.pgettext(entry.msgctxt, entry.msgid)
            expected = entry.msgstr[0]
        else:
            # One plural form: every count selects msgstr[0].
            if entry.msgctxt is None:
                got = catalog.ngettext(entry.msgid, entry.msgid_plural, 5)
            else:
                got = catalog.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 5)
            expected = entry.msgstr[0]
        if got != expected:
            offenders.append(f"{entry.label}: .po has {expected!r}, .mo has {got!r}")
    assert not offenders, _failure(
        "django.mo is out of date: run `manage.py compilemessages -l vi --ignore=.venv` and "
        "commit locale/vi/LC_MESSAGES/django.mo",
        offenders,
    )


# --- (c) Django serves them ----------------------------------------------------------------

KEY_STRINGS = {
    "Bloc chair": "Trưởng khối",
    "Cluster chair": "Cụm trưởng",
    "Bloc deputy": "Phó khối",
    "Cluster deputy": "Cụm phó",
    "Bloc (khối)": "Khối thi đua",
    "Cluster (cụm)": "Cụm thi đua",
    "Mid-year review": "Sơ kết 6 tháng",
    "Year-end review": "Tổng kết năm",
    "Launch and pledge signing": "Phát động và ký kết giao ước thi đua",
    "Secretary (minute-taker)": "Thư ký (ghi biên bản)",
    "Invited guest": "Đại biểu khách mời",
    "rotation order": "thứ tự luân phiên",
    "minutes": "biên bản",
    "Log in": "Đăng nhập",
}


@pytest.mark.parametrize(("english", "vietnamese"), KEY_STRINGS.items())
def test_key_strings_in_vietnamese_and_english(english, vietnamese):
    with translation.override("vi"):
        assert gettext(english) == vietnamese
    with translation.override("en"):
        assert gettext(english) == english


def test_model_labels_follow_the_language():
    from blocs.models import Bloc, Meeting

    with translation.override("vi"):
        assert Bloc(kind=Bloc.Kind.KHOI).chair_title == "Trưởng khối"
        assert Bloc(kind=Bloc.Kind.CUM).deputy_title == "Cụm phó"
        assert str(Meeting.Kind.YEAR_END.label) == "Tổng kết năm"
        assert str(Meeting._meta.verbose_name) == "hội nghị"
    with translation.override("en"):
        assert Bloc(kind=Bloc.Kind.CUM).chair_title == "Cluster chair"
        assert str(Meeting.Kind.YEAR_END.label) == "Year-end review"


def test_placeholders_and_plurals_render():
    params = {"bloc": "Cụm thi đua số 5", "year": 2026}
    with translation.override("vi"):
        assert (
            gettext("%(bloc)s already has a chair term for %(year)s.") % params
            == "Cụm thi đua số 5 đã có trưởng, phó khối/cụm năm 2026."
        )
        for count in (1, 3):
            assert (
                ngettext("%(counter)s bloc", "%(counter)s blocs", count) % {"counter": count}
                == f"{count} khối/cụm"
            )
    with translation.override("en"):
        assert ngettext("%(counter)s bloc", "%(counter)s blocs", 3) % {"counter": 3} == "3 blocs"


def test_po_reader_handles_context_continuations_escapes_and_obsolete(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: vi\\n"\n'
        "\n"
        "#, python-format\n"
        'msgctxt "meeting"\n'
        'msgid "Held"\n'
        'msgstr "Đã tổ chức"\n'
        "\n"
        "#, fuzzy\n"
        'msgid ""\n'
        '"Two \\"quoted\\"\\n"\n'
        '"lines"\n'
        'msgstr ""\n'
        "\n"
        'msgid "%(counter)s bloc"\n'
        'msgid_plural "%(counter)s blocs"\n'
        'msgstr[0] "%(counter)s khối/cụm"\n'
        "\n"
        '#~ msgid "Gone"\n'
        '#~ msgstr "Đã bỏ"\n',
        encoding="utf-8",
    )
    header, held, fuzzy, plural = parse_po(sample)
    assert header.is_header and header.msgstr == {0: "Language: vi\n"}
    assert (held.msgctxt, held.msgid, held.msgstr, held.flags) == (
        "meeting",
        "Held",
        {0: "Đã tổ chức"},
        {"python-format"},
    )
    assert (fuzzy.msgid, fuzzy.msgstr, fuzzy.flags) == ('Two "quoted"\nlines', {0: ""}, {"fuzzy"})
    assert (plural.msgid_plural, plural.msgstr) == (
        "%(counter)s blocs",
        {0: "%(counter)s khối/cụm"},
    )

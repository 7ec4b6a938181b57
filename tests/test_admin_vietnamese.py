"""The admin a Vietnamese admin uses is in Vietnamese: every page walked here (index, each
registered model's list, add and change forms, history, delete confirmation, import and
export, password change) shows no English word, Django's and the third parties' strings
included (the project's locale/vi overrides their catalogs: LOCALE_PATHS comes first).

What counts as English: a word of plain ASCII letters that cannot be a Vietnamese syllable
written without accents ("thi", "ban", "danh" can; "Show", "counts", "Please" cannot). Codes
in capitals (MTTQ, HLHPN, PDF) and the few words of ALLOWED are not text to translate.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

# Proper nouns, units and terms of art that Vietnamese writes as they are.
ALLOWED = {
    "django",
    "csv",
    "xlsx",
    "xls",
    "tsv",
    "ods",
    "json",
    "yaml",
    "html",
    "pdf",
    "docx",
    "email",  # "Email" is what officials say and write
    "scan",  # "bản scan có chữ ký": the signed copy, as offices say it
    "word",  # the editor (Microsoft Word) the .docx is for
    "web",  # "trang web"
    "menu",
    "byte",
    "ctrl",  # key names: "Giữ phím Ctrl (trên máy Mac là phím Command)"
    "command",
    "mac",
    "salt",  # the password hash summary: "thuật toán, salt, mã băm"
}
# An accent-free Vietnamese syllable: onset, vowels, final consonant.
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")  # whole words, Vietnamese letters included
# Data, not text: e-mail addresses, URLs, paths, codes with digits or stars (a hash summary,
# "pbkdf2_sha256"), slugs ("co-td-mttq"), {placeholders} and "quoted" JSON keys.
_DATA = re.compile(
    r"\S+@\S+|https?://\S+|\S*/\S*|\S*[\d*_]\S*|\b[a-z]+(?:-[a-z]+)+\b|\{\w+\}|\"[^\"]*\"|“\w+”:"
)


def english_words(text: str, allowed: set[str]) -> set[str]:
    found = set()
    for word in _WORD.findall(_DATA.sub(" ", text)):
        lower = word.lower()
        if (
            not word.isascii()
            or word.isupper()
            or len(word) < 3
            or lower in ALLOWED
            or lower in allowed
        ):
            continue
        if not _SYLLABLE.match(lower):
            found.add(word)
    return found


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class VisibleText(HTMLParser):
    """The text a person reads on the page: text nodes (not scripts, styles or the data of
    hidden inputs) and the attributes that are read out or shown (title, placeholder,
    aria-label, alt, the value of buttons)."""

    SKIP = {"script", "style", "template", "textarea", "option", "code"}
    # Cells that hold codes (a document style's code). The history table's cells are read
    # too: a change is shown in the fields' labels and the choices' labels, never in codes.
    SKIP_CLASSES = {"field-code", "validation-error-field-label"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[tuple[str, bool]] = []
        self._in_preview = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        if tag == "table" and "import-preview" in classes:
            self._in_preview = True
        skip = (
            tag in self.SKIP
            or bool(classes & self.SKIP_CLASSES)
            # The preview's columns are the file's: their names and cell values are data
            # (Vietnamese column names are the import section's work); its errors are text.
            or (self._in_preview and tag in ("th", "td") and "errors" not in classes)
        )
        if tag not in VOID:
            self._stack.append((tag, skip))
            self._skip += skip
        for name in ("title", "placeholder", "aria-label", "alt"):
            # An admin boolean icon's alt is the value itself (True/False/None), not text.
            if values.get(name) and values[name] not in ("True", "False", "None"):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_preview = False
        while self._stack:
            opened, skip = self._stack.pop()
            self._skip -= skip
            if opened == tag:
                break

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def english_on(html: str, allowed: set[str]) -> dict[str, set[str]]:
    """{text: its English words} for each piece of visible text with English in it."""
    return {part: words for part in visible_text(html) if (words := english_words(part, allowed))}


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Hãy sửa các lỗi dưới đây.", set()),
        ("Please correct the errors below.", {"Please", "correct", "errors", "below"}),
        ("Show counts", {"Show", "counts"}),
        ("Khối thi đua MTTQ thành phố Hải Phòng", set()),
        ("Xuất dữ liệu dạng xlsx, csv", set()),
        ("thuky@example.org", set()),
    ],
)
def test_the_english_detector(text, english):
    assert english_words(text, set()) == english


# --- The walk ---------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo", force=True, stdout=StringIO())


def _urls_of(model_admin, obj) -> list[str]:
    prefix = f"admin:{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}"
    urls = [reverse(f"{prefix}_changelist")]
    for name, args in [
        ("add", []),
        ("change", [obj.pk] if obj else None),
        ("history", [obj.pk] if obj else None),
        ("delete", [obj.pk] if obj else None),
        ("import", []),
        ("export", []),
    ]:
        if args is None:
            continue
        try:
            urls.append(reverse(f"{prefix}_{name}", args=args))
        except NoReverseMatch:
            continue
    return urls


def _usernames() -> set[str]:
    from django.contrib.auth import get_user_model

    names: set[str] = set()
    for username in get_user_model().objects.values_list("username", flat=True):
        names |= {w.lower() for w in _WORD.findall(username)}
    return names


def test_the_admin_pages_a_vietnamese_admin_uses_have_no_english(demo, admin_client):
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        urls += _urls_of(model_admin, model._default_manager.order_by("pk").first())
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.order_by("pk").first()
    urls.append(reverse("admin:auth_user_password_change", args=[user.pk]))
    allowed = _usernames()
    left: dict[str, dict[str, set[str]]] = {}
    shown = 0
    for url in urls:
        response = admin_client.get(url, follow=True)
        if response.status_code == 403 and url.endswith(("/add/", "/delete/")):
            continue  # a model the rules keep read-only (scores, ballots, approved records)
        assert response.status_code == 200, url
        shown += 1
        assert response.headers["Content-Language"] == "vi"
        if found := english_on(response.content.decode(), allowed):
            left[url] = found
    assert left == {}
    assert shown > 60  # the walk did reach the pages


@pytest.fixture
def world_admin(client, world):
    client.force_login(world.users["admin"])
    return client


def test_a_change_form_with_errors_is_in_vietnamese(world_admin):
    admin_client = world_admin
    response = admin_client.post(reverse("admin:blocs_organization_add"), {"name": ""})
    html = response.content.decode()
    assert "Hãy sửa lỗi dưới đây." in html
    assert english_on(html, _usernames()) == {}


def test_the_change_history_headings_are_vietnamese(world_admin, world):
    admin_client = world_admin
    org = world.orgs[0]
    org.kind, org.is_active = "youth", False  # a choice and a yes/no, shown by their labels
    org.save()
    html = admin_client.get(reverse("admin:blocs_organization_history", args=[org.pk])).content
    html = html.decode()
    assert "Lịch sử" in html and "Bản ghi nhớ" not in html
    assert english_on(html, _usernames()) == {}


def _preview(client, rows: str) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "organizations.csv", f"name,short_name,kind,level\n{rows}".encode(), "text/csv"
    )
    url = reverse("admin:blocs_organization_import")
    response = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_import_preview_is_in_vietnamese(world_admin):
    html = _preview(world_admin, "Hội Người cao tuổi,Hội NCT,other,province\n")
    assert "Xác nhận nhập dữ liệu" in html and "Hội Người cao tuổi" in html
    assert english_on(html, _usernames()) == {}


def test_the_import_refusals_are_in_vietnamese(world_admin):
    html = _preview(world_admin, "Hội Người cao tuổi,Hội NCT,xx,province\n")
    assert "Một số dòng bị từ chối" in html
    assert "“xx” không thuộc các giá trị" in html
    assert english_on(html, _usernames()) == {}


def test_the_multi_select_widget_strings_are_vietnamese(admin_client):
    # The widget is drawn by the admin's JavaScript from the JS catalogue (admin:jsi18n).
    body = admin_client.get(reverse("admin:jsi18n")).content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    for msgid in (
        "Available %s",
        "Chosen %s",
        "Choose all %s",
        "Remove all %s",
        "Choose selected %s",
        "Remove selected %s",
        "Type into this box to filter down the list of available %s.",
        "Type into this box to filter down the list of selected %s.",
        "Filter",
    ):
        assert catalogue.get(msgid), msgid
        assert english_words(catalogue[msgid], set()) == set(), msgid

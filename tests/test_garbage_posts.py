"""No value a user can type or upload turns into a server error.

Every page of the access matrix is opened as a member and as the secretariat; every POST
form on it (except the navbar's) is sent back with its fields filled with hostile values:
empty, blanks, negative and huge numbers, "NaN", three decimal commas, Arabic-Indic
digits, markup, a 5,000-character string, an impossible date, a NUL byte, and a
disguised file for every file input. The answer must be a page, a redirect or a refusal
(< 500); the test client re-raises any exception a view lets through, so a server error
fails here with its traceback.

The query parameters the views read (year, org, page, q, …) get the same values.

The values go in four rounds per form, each field taking a different value in each round,
so every field meets every kind of value at least once without sending 13 × fields posts.
"""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .test_access_matrix import MATRIX

HOSTILE = [
    "",
    "   ",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "12,5,6",
    "١٢",
    "<script>alert(1)</script>",
    "x" * 5000,
    "31/02/2025",
    "0x10",
    "a\x00b",
]
ROUNDS = 4
SKIPPED_ACTIONS = ("logout", "set_language")  # the navbar's forms


class _Forms(HTMLParser):
    """The POST forms of a page: action, field names (with a submit button's value)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._current = {"action": attrs.get("action") or "", "fields": {}, "files": []}
            return
        form = self._current
        if form is None or not attrs.get("name"):
            return
        name, kind = attrs["name"], (attrs.get("type") or "").lower()
        if name == "csrfmiddlewaretoken":
            return
        if tag == "input" and kind == "file":
            form["files"].append(name)
        elif tag == "button" or kind == "submit":
            form.setdefault("buttons", []).append((name, attrs.get("value", "")))
        elif tag in ("input", "select", "textarea"):
            form["fields"][name] = None

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def post_forms(html: str, page_url: str) -> list[tuple[str, dict]]:
    parser = _Forms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        action = form["action"] or page_url
        if action.startswith("?"):
            action = page_url.split("?")[0] + action
        if any(reverse(name) == action.split("?")[0] for name in SKIPPED_ACTIONS):
            continue
        found.append((action, form))
    return found


def payloads(form: dict):
    names = list(form["fields"])
    buttons = form.get("buttons") or [(None, None)]
    for round_ in range(ROUNDS):
        data = {name: HOSTILE[(i * ROUNDS + round_) % len(HOSTILE)] for i, name in enumerate(names)}
        for name in form["files"]:
            data[name] = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf")
        name, value = buttons[round_ % len(buttons)]
        if name:
            data[name] = value
        yield data


@pytest.mark.parametrize("name", sorted(n for n in MATRIX if ":" in n))
def test_hostile_values_in_every_form_never_cause_a_server_error(name, world, client_for):
    url = reverse(name, kwargs=MATRIX[name].kwargs(world))
    posted = 0
    for role in ("member", "secretariat"):
        client = client_for(role)
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for action, form in post_forms(page.content.decode(), url):
            for data in payloads(form):
                response = client.post(action, data)
                assert response.status_code < 500, (role, action, data)
                posted += 1
    print(f"{name}: {posted} hostile posts")


QUERY_PARAMS = ("year", "org", "page", "q", "kind", "mode", "copy", "delete", "confirm")


@pytest.mark.parametrize("name", sorted(n for n in MATRIX if ":" in n))
def test_hostile_query_parameters_never_cause_a_server_error(name, world, client_for):
    # Every parameter the views read from the query string, all with the same hostile value
    # at once (a view reads each on its own), value after value.
    url = reverse(name, kwargs=MATRIX[name].kwargs(world))
    client = client_for("secretariat")
    for value in HOSTILE[:-1] + ["-5", "0", "999999"]:  # no NUL: a URL cannot carry it
        response = client.get(url, dict.fromkeys(QUERY_PARAMS, value))
        assert response.status_code < 500, value

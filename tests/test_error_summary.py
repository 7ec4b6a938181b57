"""`{% error_summary %}`: a long form's errors listed at its top, each a link to its field."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from portal.templatetags.forms import summary_items


class RowForm(forms.Form):
    name = forms.CharField(label="Full name")
    order = forms.IntegerField(label="Order", required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") == "x":
            raise forms.ValidationError("A row's own error.")
        return data


Rows = forms.formset_factory(RowForm, extra=0)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _rows(*names: str):
    data = {"r-TOTAL_FORMS": len(names), "r-INITIAL_FORMS": 0}
    for i, name in enumerate(names):
        data[f"r-{i}-name"] = name
        data[f"r-{i}-order"] = "abc" if name == "bad" else ""
    rows = Rows(data, prefix="r")
    rows.is_valid()
    return rows


def test_every_error_is_listed_in_page_order_with_its_field_s_anchor():
    rows = _rows("ok", "bad", "x")
    rows.forms[1].summary_label = "B1"
    items = summary_items(rows)
    assert [(i.label, i.anchor) for i in items] == [
        ("B1 – Order", "id_r-1-order"),
        ("", "id_r-2-name"),  # a row's own error points at its first field
    ]
    assert items[0].message == "Enter a whole number."
    assert items[1].message == "A row's own error."


def test_unbound_and_valid_forms_list_nothing_and_render_nothing():
    assert summary_items(RowForm(), _rows("ok"), None, []) == []
    html = Template("{% load forms %}{% error_summary form %}").render(Context({"form": RowForm()}))
    assert html.strip() == ""


def test_the_snippet_links_each_error_to_its_field():
    form = RowForm({"name": ""})
    html = Template("{% load forms %}{% error_summary form %}").render(Context({"form": form}))
    assert 'id="error-summary"' in html and 'role="alert"' in html
    assert '<a class="alert-link" href="#id_name">Full name: This field is required.</a>' in html
    assert "The form has 1 error: nothing was saved." in html


def test_the_summary_speaks_vietnamese():
    with translation.override("vi"):
        form = RowForm({"name": ""})
        html = Template("{% load forms %}{% error_summary form %}").render(Context({"form": form}))
    assert "Biểu mẫu có 1 lỗi, chưa có gì được lưu." in html

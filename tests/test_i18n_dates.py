"""Dates are day first (dd/mm/yyyy) in both languages, for input and display.

Django's own vi locale has no input formats, so without portal/formats
"05/12/2025" would parse as 12 May; these tests pin the format modules.
"""

from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation


class DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_field_parses_day_first(language):
    with translation.override(language):
        form = DateForm({"day": "05/12/2025"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2025, 12, 5)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("text", ["05-12-2025", "05.12.2025", "2025-12-05"])
def test_date_field_accepts_the_other_written_forms(language, text):
    with translation.override(language):
        form = DateForm({"day": text})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2025, 12, 5)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_field_rejects_month_first_that_cannot_be_a_day_first_date(language):
    with translation.override(language):
        assert not DateForm({"day": "12/31/2025"}).is_valid()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("source", ['{{ d|date:"SHORT_DATE_FORMAT" }}', "{{ d }}"])
def test_date_renders_day_first(language, source):
    with translation.override(language):
        assert Template(source).render(Context({"d": date(2025, 12, 5)})) == "05/12/2025"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_field_widget_shows_day_first(language):
    with translation.override(language):
        form = DateForm(initial={"day": date(2025, 12, 5)})
        assert 'value="05/12/2025"' in str(form["day"])

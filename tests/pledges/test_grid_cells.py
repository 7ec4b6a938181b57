"""The scoring grids' cells, written by `{% verify_cells %}` and `{% score_inputs %}`
(pledges/templatetags/grids.py): every value escaped, and each kind of row as the
secretariat and the members must see it."""

from decimal import Decimal

import pytest
from django.utils import translation
from lxml import html as lxml_html

from blocs.models import Organization
from pledges.forms.scoring import ScoreCell, ScoreRowForm
from pledges.models import Criterion, Score
from pledges.selectors.sheets import Cell, MemberRow
from pledges.templatetags.grids import score_inputs, verify_cells

HOSTILE = "<script>alert(\"x\")</script> & 'B'"


def _row(*, editable: bool, errors: bool) -> MemberRow:
    cells = (
        Cell("c1", "I.1", True, points="12,5", bonus="1", version="3", verified="12,5", own="10+1"),
        Cell("c2", "I.2", False, own="5", errors=(f"Quá điểm tối đa {HOSTILE}",) if errors else ()),
    )
    return MemberRow(
        organization=Organization(pk=7, name=HOSTILE, short_name=""),
        self_sheet=None,
        cells=cells,
        self_total=Decimal(0),
        verified_total=Decimal(0),
        editable=editable,
        link="/x",
    )


def _cells(row: MemberRow):
    markup = str(verify_cells(row))
    assert "<script>" not in markup
    return lxml_html.fragment_fromstring(f"<tr>{markup}</tr>", create_parent=False).findall("td")


def test_an_editable_row_has_the_inputs_of_the_members_form_and_escapes_every_value():
    first, second = _cells(_row(editable=True, errors=False))
    version, points, bonus = first.findall("input")
    assert (version.get("type"), version.get("name"), version.get("value")) == (
        "hidden",
        "c1-version",
        "3",
    )
    assert {i.get("form") for i in (version, points, bonus)} == {"v7"}
    assert (points.get("name"), points.get("value"), bonus.get("name")) == (
        "c1-points",
        "12,5",
        "c1-bonus",
    )
    assert points.get("aria-label") == f"{HOSTILE} I.1"  # the name, escaped, read back whole
    assert first.find("span").text == "10+1"  # the submitted self-score beside it
    assert [i.get("name") for i in second.findall("input")] == [
        "c2-version",
        "c2-points",
    ]  # no bonus
    assert second.get("class") is None


def test_a_refused_row_marks_the_cell_and_ties_its_message_to_the_input():
    _first, second = _cells(_row(editable=True, errors=True))
    assert second.get("class") == "cell-error" and second.get("id") == "cell-v7-I.2"
    points = second.findall("input")[1]
    assert "is-invalid" in points.get("class") and points.get("data-portal-focus") is not None
    message = second.get_element_by_id("err-v7-I.2")
    assert points.get("aria-describedby") == "err-v7-I.2"
    assert message.text_content() == f"Quá điểm tối đa {HOSTILE}"


def test_a_read_only_row_shows_the_verified_value_in_bold_over_the_self_score():
    first, second = _cells(_row(editable=False, errors=False))
    assert not first.findall("input")
    assert [s.text for s in first.findall("span")] == ["12,5", "10+1"]
    assert first.find("span").get("class") == "fw-semibold"
    assert [s.text for s in second.findall("span")] == ["5"]  # nothing verified yet


def test_a_read_only_row_with_errors_shows_them():
    _first, second = _cells(_row(editable=False, errors=True))
    assert second.get("class") == "cell-error"
    assert second.find("div").text_content() == f"Quá điểm tối đa {HOSTILE}"


def _sheet_cells(*, bonus: str | None, errors: list[str]):
    cell = ScoreCell(
        prefix="c12",
        points=HOSTILE,  # typed back as it was posted
        bonus=bonus,
        explanation=f"Giải thích {HOSTILE}",
        version="3",
        points_errors=errors,
        bonus_errors=errors,
        file_errors=[],
        row_errors=[],
        dropped_file="",
    )
    criterion = Criterion(pk=12, code="I.1", max_points=10, bonus_cap=Decimal("2.5"))
    with translation.override("vi"):
        markup = str(score_inputs(cell, criterion))
    assert "<script>" not in markup
    row = lxml_html.fragment_fromstring(f"<tr>{markup}</tr>", create_parent=False)
    return row.findall("td")


def test_a_sheet_row_has_its_points_bonus_and_explanation_inputs_in_vietnamese():
    points, bonus, explanation = _sheet_cells(bonus="1,5", errors=[])
    assert points.get("data-label") == "Điểm"
    version, typed = points.findall("input")
    assert (version.get("name"), version.get("value")) == ("c12-version", "3")
    assert (typed.get("name"), typed.get("id"), typed.get("value")) == (
        "c12-points",
        "id_c12-points",
        HOSTILE,
    )
    assert points.find("label").get("for") == "id_c12-points"
    assert bonus.find("input").get("value") == "1,5"
    assert bonus.find("div").text == "tối đa 2,50"  # floatformat:"-2", as the page writes caps
    assert explanation.find("textarea").text == f"Giải thích {HOSTILE}"
    assert "is-invalid" not in typed.get("class")


def test_a_refused_sheet_row_shows_each_error_under_its_input():
    points, bonus, _explanation = _sheet_cells(bonus=None, errors=[f"Sai {HOSTILE}"])
    assert "is-invalid" in points.findall("input")[1].get("class")
    assert [d.text_content() for d in points.findall("div")] == [f"Sai {HOSTILE}"]
    assert bonus.find("input") is None and bonus.find("span").text == "—"  # takes no bonus


def _score(points: str, bonus: str, explanation: str, version: int) -> Score:
    return Score(
        points=Decimal(points), bonus=Decimal(bonus), explanation=explanation, version=version
    )


@pytest.mark.parametrize(
    ("stored", "bonus_cap"),
    [
        (None, None),
        (None, Decimal("2")),
        (Score(points=Decimal("12.50"), bonus=Decimal("0"), explanation="Có", version=3), None),
        (
            Score(points=Decimal("15"), bonus=Decimal("1.25"), explanation="", version=1),
            Decimal("2"),
        ),
        (
            Score(points=Decimal("7.125"), bonus=Decimal("0"), explanation="x", version=2),
            Decimal("2"),
        ),
    ],
)
def test_a_shown_sheet_row_needs_no_form_and_shows_what_the_form_would(stored, bonus_cap):
    criterion = Criterion(pk=12, code="I.1", max_points=20, bonus_cap=bonus_cap)
    for language in ("vi", "en"):
        with translation.override(language):
            form = ScoreRowForm.for_score(criterion, stored)
            assert ScoreCell.saved(criterion, stored) == form.cell

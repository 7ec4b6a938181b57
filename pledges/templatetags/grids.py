"""The scoring grids' cells, written out in Python, not by the template's loop.

`{% verify_cells row %}`: the cells of one member's row of the verification grid, a cell per
member and criterion (500 at the benchmark's national scale, 2,400 for 60 members × 40
criteria): the loop's variable and tag nodes cost 45% of the page's CPU, the same markup
joined from strings a tenth of that. The four kinds of row write what the template wrote:
an editable row, the editable row being corrected (the typed values and their errors), a
read-only row, and a read-only row with errors.

`{% score_inputs cell criterion %}`: the points, bonus and explanation inputs of one row of
a sheet being written (50 rows a sheet).

Every value is escaped here (`html.escape`, as Django's own `escape` does; an error message
with `conditional_escape`, as the template did).
"""

from __future__ import annotations

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from pledges.forms.scoring import ScoreCell
from pledges.models import Criterion
from pledges.selectors.sheets import Cell, MemberRow

register = template.Library()


@register.simple_tag
def verify_cells(row: MemberRow) -> SafeString:
    fid, label = escape(row.form_id), escape(row.label)
    if row.editable:
        correcting = row.has_errors
        cells = [_input_cell(cell, fid, label, correcting=correcting) for cell in row.cells]
    else:
        cells = [_read_cell(cell) for cell in row.cells]
    return mark_safe("".join(cells))  # noqa: S308 - every value above is escaped


def _input_cell(cell: Cell, fid: str, label: str, *, correcting: bool) -> str:
    name, code = escape(cell.name), escape(cell.code)
    errors = cell.errors if correcting else ()
    parts = ["<td"]
    if errors:
        parts.append(f' class="cell-error" id="cell-{fid}-{code}"')
    parts.append(
        f'><input type="hidden" form="{fid}" name="{name}-version" value="{escape(cell.version)}">'
        f'<input form="{fid}" name="{name}-points" value="{escape(cell.points)}" '
        'inputmode="decimal" class="form-control form-control-sm verify-input'
    )
    if errors:
        parts.append(f' is-invalid" data-portal-focus aria-describedby="err-{fid}-{code}')
    parts.append(f'" aria-label="{label} {code}">')
    if cell.has_bonus:
        parts.append(
            f'<input form="{fid}" name="{name}-bonus" value="{escape(cell.bonus)}" '
            'inputmode="decimal" class="form-control form-control-sm verify-input mt-1" '
            f'placeholder="+" aria-label="+ {label} {code}">'
        )
    if cell.own:
        parts.append(f'<span class="self-value">{escape(cell.own)}</span>')
    if errors:
        messages = "".join(f"<div>{conditional_escape(e)}</div>" for e in errors)
        parts.append(f'<div class="small text-danger cell-message" id="err-{fid}-{code}">')
        parts.append(f"{messages}</div>")
    parts.append("</td>")
    return "".join(parts)


def _read_cell(cell: Cell) -> str:
    parts = ['<td class="cell-error">' if cell.errors else "<td>"]
    if cell.verified:
        parts.append(f'<span class="fw-semibold">{escape(cell.verified)}</span>')
    if cell.own:
        parts.append(f'<span class="self-value">{escape(cell.own)}</span>')
    parts.extend(
        f'<div class="small text-danger">{conditional_escape(e)}</div>' for e in cell.errors
    )
    parts.append("</td>")
    return "".join(parts)


@register.simple_tag
def score_inputs(cell: ScoreCell, criterion: Criterion) -> SafeString:
    prefix, code = escape(cell.prefix), escape(criterion.code)
    points, bonus, explanation = gettext("Points"), gettext("Bonus"), gettext("Explanation")
    parts = [
        f'<td data-label="{escape(points)}">'
        f'<input type="hidden" name="{prefix}-version" value="{escape(cell.version)}" '
        f'id="id_{prefix}-version">',
        _number_input(prefix, "points", points, code, cell.points, cell.points_errors),
        *_errors(cell.points_errors),
        f'</td><td data-label="{escape(bonus)}">',
    ]
    if cell.bonus is None:
        parts.append('<span class="text-body-secondary">—</span>')
    else:
        cap = gettext("up to %(cap)s") % {"cap": floatformat(criterion.bonus_cap, "-2")}
        parts += [
            _number_input(prefix, "bonus", bonus, code, cell.bonus, cell.bonus_errors),
            f'<div class="form-text">{escape(cap)}</div>',
            *_errors(cell.bonus_errors),
        ]
    parts.append(
        f'</td><td data-label="{escape(explanation)}">'
        f'<label class="visually-hidden" for="id_{prefix}-explanation">'
        f"{escape(explanation)} {code}</label>"
        f'<textarea name="{prefix}-explanation" cols="40" rows="2" '
        f'class="form-control form-control-sm" id="id_{prefix}-explanation">'
        f"{escape(cell.explanation)}</textarea></td>"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _number_input(
    prefix: str, field: str, label: str, code: str, value: str, errors: list[str]
) -> str:
    invalid = " is-invalid" if errors else ""
    return (
        f'<label class="visually-hidden" for="id_{prefix}-{field}">{escape(label)} {code}</label>'
        f'<input type="text" inputmode="decimal" autocomplete="off" name="{prefix}-{field}" '
        f'id="id_{prefix}-{field}" value="{escape(value)}" '
        f'class="form-control form-control-sm score-input{invalid}">'
    )


def _errors(errors: list[str]) -> list[str]:
    return [f'<div class="invalid-feedback d-block">{conditional_escape(e)}</div>' for e in errors]

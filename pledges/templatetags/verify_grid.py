"""`{% verify_cells row %}`: the cells of one member's row of the verification grid.

Written out in Python, not by the template's loop: a grid has a cell per member and
criterion (500 at the benchmark's national scale, 2,400 for 60 members × 40 criteria), and
the loop's variable and tag nodes cost 45% of the page's CPU; the same markup joined from
strings costs a tenth of that. Every value is escaped here (`html.escape`, as Django's own
`escape` does), and the four kinds of row write what the template wrote: an editable row,
the editable row being corrected (the typed values and their errors), a read-only row, and
a read-only row with errors.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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

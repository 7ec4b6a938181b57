"""The score table of a report as a spreadsheet, for the kinds that have one
(`DocumentKind.has_spreadsheet`): the writer of the results page's export
(pledges/xlsx.py), so the two files have one layout."""

from __future__ import annotations

from pledges.xlsx import columns, table_title
from pledges.xlsx import score_table_xlsx as write_table

from .kinds import get_kind


def score_table_columns(data: dict) -> list[str]:
    return columns(data.get("results") or {"groups": []})


def score_table_xlsx(data: dict) -> bytes | None:
    """An .xlsx of the score table, or None when the document has no score table."""
    results = data.get("results") or {}
    if not get_kind(data["kind"]).has_spreadsheet or not results.get("rows"):
        return None
    return write_table(results, title=table_title(data["year"]), subtitle=data["bloc"]["name"])

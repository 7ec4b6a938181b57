"""manage.py check_media, the README's restore drill: counts per file field, and a referenced
file missing from the media folder fails the command naming it."""

import pytest
from django.core.management import CommandError, call_command

from tests.reports.helpers import make_draft, make_report


@pytest.mark.django_db
def test_check_media_counts_and_names_missing_files(world, settings, capsys):
    report = make_report(make_draft(world.bloc, 2025))  # a ready build: its PDF and xlsx
    call_command("check_media")
    out = capsys.readouterr().out
    assert "reports.Report.pdf: 1 files, 0 missing" in out
    assert "reports.Report.xlsx: 1 files, 0 missing" in out
    assert "every referenced file is present" in out

    report.pdf.storage.delete(report.pdf.name)  # the media backup lacks it
    with pytest.raises(CommandError, match="1 referenced files are missing"):
        call_command("check_media")
    captured = capsys.readouterr()
    assert f"missing reports.Report.pdf: {report.pdf.name}" in captured.err

"""The demo documents (reports/demo.py): Hải Phòng's 2020 year-end review is issued by
`load_demo` (numbered, dated 29/12/2020 as the real one was), ready to download, built from
the demo data, and not issued or built again on a second run."""

import subprocess
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from blocs import demo as blocs_demo
from reports.models import Report, ReportDraft

pytestmark = pytest.mark.django_db


def test_the_hai_phong_2020_review_is_ready_after_load_demo(client):
    call_command("load_demo", force=True, stdout=StringIO())
    report = Report.objects.get(
        draft__bloc__name=blocs_demo.HP_BLOC, draft__year=2020, draft__kind="year_end"
    )
    assert report.status == Report.Status.READY and report.issued
    assert report.page_count >= 3
    draft = report.draft
    abbreviation = draft.issuer.abbreviation
    assert (draft.status, draft.issue_date) == ("issued", date(2020, 12, 29))
    assert (draft.symbol, draft.number_year) == (f"01/BC-{abbreviation}", 2020)
    text = subprocess.run(
        ["pdftotext", "-layout", report.pdf.path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "BÁO CÁO" in text
    assert "Hải Phòng, ngày 29 tháng 12 năm 2020" in text
    assert f"Số: 01/BC-{abbreviation}" in text and "DỰ THẢO" not in text
    assert "Vũ Thị Bích Liên" in text
    # The leading unit chosen by the ballot of 29/12/2020 is named from the data.
    assert "Hội Liên hiệp Phụ nữ thành phố Hải Phòng" in text

    # The demo member downloads it.
    client.login(username="hoivien", password="hoivien12345")
    response = client.get(reverse("reports:document_download", args=[draft.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"

    # A second run leaves the draft and its report alone.
    call_command("load_demo", force=True, stdout=StringIO())
    assert ReportDraft.objects.count() == 1
    assert Report.objects.count() == 1

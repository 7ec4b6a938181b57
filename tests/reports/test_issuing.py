"""Issuing as a records office works (reports/issuing.py): a draft consumes no number; an
issue fixes number, date and content and makes the document read-only; three numbering
modes per issuer; replacements; the signed scan members download.

Tasks run inline; most tests use a fake PDF writer (they are about the rules). The draft's
placeholder and the issued header are read from real PDFs (WeasyPrint, then pdftotext).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from blocs.models import Meeting, Organization, current_year
from portal.celery import app as celery_app
from reports import documents, issuing, rendering, services
from reports.models import DocumentStyle, NumberSequence, Report, ReportDraft
from tests.blocs.test_views import _assert_constant
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OrganizationFactory,
)

from .helpers import PDF_BYTES, make_draft, make_issued, make_report

YEAR = current_year()
TODAY = date(YEAR, 12, 20)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCAN_BYTES = b"%PDF-1.4\n% signed and stamped\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _eager_private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def renderer(monkeypatch):
    monkeypatch.setattr(
        rendering, "html_to_pdf", lambda html: rendering.RenderedPdf(pdf=PDF_BYTES, page_count=2)
    )


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def chair(db):
    # Its head is every draft's default signer: a document is never issued without one.
    return OrganizationFactory(
        name="Hội Liên hiệp Phụ nữ thành phố",
        abbreviation="HLHPN",
        head_name="Vũ Thị Bích Liên",
        head_position="Chủ tịch Hội Liên hiệp Phụ nữ thành phố",
    )


@pytest.fixture
def bloc(chair):
    bloc = BlocFactory(name="Khối thi đua các tổ chức chính trị - xã hội", locality="Hải Phòng")
    MembershipFactory(bloc=bloc, organization=chair, first_year=YEAR - 2)
    deputy = OrganizationFactory(kind=Organization.Kind.YOUTH, abbreviation="TĐ")
    MembershipFactory(bloc=bloc, organization=deputy, first_year=YEAR - 2)
    ChairTermFactory(bloc=bloc, year=YEAR, chair=chair, deputy=deputy)
    return bloc


@pytest.fixture
def draft(bloc):
    return make_draft(bloc, YEAR, situation="Tình hình chung của Khối.", signer_name="Vũ Thị A")


def issue(draft, **fields) -> Report:
    fields.setdefault("issued_on", TODAY)
    fields.setdefault("today", TODAY)
    return issuing.document_issue(draft=draft, **fields)


def _meeting(bloc) -> Meeting:
    return Meeting.objects.create(
        bloc=bloc, year=YEAR, kind="year_end", title="Hội nghị tổng kết",
        starts_at=timezone.now(), place="Hải Phòng",
    )  # fmt: skip


def _skip_or_fail(reason: str) -> None:
    """A missing optional system dependency skips (the reason printed), never under CI."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    print(reason)
    pytest.skip(reason)


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        _skip_or_fail("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# A draft consumes no number -----------------------------------------------------------------


def test_a_draft_pdf_prints_a_blank_number_and_date_and_says_draft(draft, tmp_path):
    """Read from the real PDF: “Số:      /BC-HLHPN”, “ngày    tháng    năm 20..”, DỰ THẢO;
    and once issued the same document carries its number and date and no draft mark."""
    html = documents.render_html(None, documents.gather_for_draft(draft))
    (tmp_path / "draft.pdf").write_bytes(rendering.html_to_pdf(html).pdf)
    text = pdf_text(tmp_path / "draft.pdf")
    first_lines = " ".join(text.split())[:600]
    assert "DỰ THẢO" in first_lines
    assert "Số: /BC-HLHPN" in first_lines  # the blank number collapses to one space
    assert "Hải Phòng, ngày tháng năm 20.." in first_lines
    assert not NumberSequence.objects.exists()

    report = issue(draft, build_now=True)
    draft.refresh_from_db()
    text = " ".join(pdf_text(report.pdf.path).split())
    assert "Số: 01/BC-HLHPN" in text
    assert f"Hải Phòng, ngày 20 tháng 12 năm {YEAR}" in text
    assert "DỰ THẢO" not in text


def test_the_live_preview_of_a_draft_is_marked_and_an_issued_one_is_not(
    client_for, world, renderer
):
    draft = make_draft(world.bloc, YEAR)
    client = client_for("secretariat")
    url = reverse("reports:draft_edit", args=[draft.pk])
    assert "DỰ THẢO" in client.get(url).content.decode()
    make_issued(draft)
    content = client.get(url).content.decode()
    assert "DỰ THẢO" not in content and f"Số: {draft.symbol}" in content


def test_building_a_draft_never_touches_the_sequence(
    draft, renderer, django_capture_on_commit_callbacks
):
    NumberSequence.objects.create(issuer=draft.issuer, year=YEAR, last=4)
    for text in ("Một.", "Hai.", "Ba."):
        services.draft_update(draft=draft, results=text)
        with django_capture_on_commit_callbacks(execute=True):
            services.report_request(draft=draft)
    assert NumberSequence.objects.get().last == 4
    assert draft.reports.count() == 3
    assert not draft.reports.filter(issued=True).exists()


# Issue -------------------------------------------------------------------------------------


def test_issue_fixes_number_date_content_and_history(draft, renderer, django_user_model):
    services.report_request(draft=draft)  # a draft build before: no number
    user = django_user_model.objects.create(username="vanthu", is_staff=True, is_superuser=True)
    report = issue(draft, actor=user, build_now=True)
    draft.refresh_from_db()
    assert draft.status == ReportDraft.Status.ISSUED
    assert (draft.number, draft.number_year, draft.symbol) == (1, YEAR, "01/BC-HLHPN")
    assert (draft.issue_date, draft.issued_by, draft.numbering) == (TODAY, user, "portal")
    assert NumberSequence.objects.get(issuer=draft.issuer, year=YEAR).last == 1
    # The content: the data gathered at issue, its digest, the PDF built from them.
    report = Report.objects.get(pk=report.pk)
    assert report.issued and report.status == Report.Status.READY and report.pdf
    assert report.input_digest == draft.issued_digest == services.input_digest(report.data)
    assert report.data["header"]["number"] == "Số: 01/BC-HLHPN"
    assert report.data["header"]["place_date"] == f"Hải Phòng, ngày 20 tháng 12 năm {YEAR}"
    assert report.data["header"]["draft"] is False
    assert draft.issued_fingerprint == documents.data_fingerprint()
    last = draft.history.first()
    assert last.history_user == user
    assert last.history_change_reason == f"Ban hành: số 01/BC-HLHPN ngày 20/12/{YEAR}"


def test_numbers_run_per_issuer_and_year_across_document_types(bloc, draft, renderer):
    issue(draft)
    minutes = services.draft_get_or_create(
        bloc=bloc, year=YEAR, kind="minutes", meeting=_meeting(bloc)
    )
    services.report_request(draft=minutes)  # a draft build in between takes no number
    issue(minutes)
    minutes.refresh_from_db()
    assert minutes.symbol == "02/BB-HLHPN"
    next_year = make_draft(bloc, YEAR, "mid_year")
    issue(next_year, issued_on=date(YEAR + 1, 1, 2), today=date(YEAR + 1, 1, 2))
    next_year.refresh_from_db()
    assert (next_year.symbol, next_year.number_year) == ("01/BC-HLHPN", YEAR + 1)


def test_the_youth_pattern_writes_the_number_the_party_way(bloc, renderer):
    youth = Organization.objects.get(kind=Organization.Kind.YOUTH)
    ChairTermFactory(bloc=bloc, year=YEAR + 1, chair=youth)
    # The Youth Union issuing in its own name (a bloc's own document keeps Decree 30).
    pledge = make_draft(
        bloc,
        YEAR + 1,
        "pledge",
        issuer_title=youth.name,
        style=DocumentStyle.objects.get(code="youth"),
    )
    issue(pledge)
    pledge.refresh_from_db()
    assert pledge.symbol == "01-GƯ/TĐ"


@pytest.mark.parametrize("when", ["missing", "tomorrow"])
def test_an_issue_without_a_date_or_in_the_future_changes_nothing(draft, when):
    issued_on = None if when == "missing" else TODAY + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        issue(draft, issued_on=issued_on)
    expected = (
        issuing.ISSUE_DATE_MISSING
        if when == "missing"
        else issuing.ISSUE_DATE_IN_FUTURE % {"today": f"20/12/{YEAR}"}
    )
    assert exc.value.messages == [expected]
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number is None
    assert not NumberSequence.objects.exists() and not Report.objects.exists()


def test_an_issued_document_is_read_only(draft, renderer):
    issue(draft)
    draft.refresh_from_db()
    read_only = services.DOCUMENT_READ_ONLY % {"symbol": "01/BC-HLHPN"}
    with pytest.raises(ValidationError) as exc:
        services.draft_update(draft=draft, results="Sửa sau khi ban hành")
    assert exc.value.messages == [read_only]
    with pytest.raises(ValidationError) as exc:
        services.report_request(draft=draft)
    assert exc.value.messages == [read_only]
    with pytest.raises(ValidationError) as exc:
        issue(draft)
    assert exc.value.messages == [issuing.NOT_A_DRAFT % {"symbol": "01/BC-HLHPN"}]
    assert draft.reports.count() == 1
    assert NumberSequence.objects.get().last == 1


def test_the_views_refuse_to_edit_or_rebuild_an_issued_document(
    world, client_for, renderer, english
):
    draft = make_draft(world.bloc, YEAR, results="Như đã ban hành.")
    make_issued(draft)
    client = client_for("secretariat")
    url = reverse("reports:draft_edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'id="build-button"' not in page and 'id="replace-button"' in page
    assert "is read-only" in page
    data = {"results": "Sửa trộm", "action": "save", "signer_name": "X"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "has been issued and is read-only" in response.content.decode()
    response = client.post(reverse("reports:report_build", args=[draft.pk]), follow=True)
    assert "has been issued and is read-only" in response.content.decode()
    draft.refresh_from_db()
    assert draft.results == "Như đã ban hành." and draft.reports.count() == 1


def test_the_issue_page_confirms_then_issues(world, client_for, renderer, english):
    draft = make_draft(world.bloc, YEAR)
    client = client_for("secretariat")
    url = reverse("reports:document_issue", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'id="confirm"' in page and 'name="number"' not in page  # drawn, not typed
    assert timezone.localdate().strftime("%d/%m/%Y") in page  # today by default
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.post(url, {"issued_on": future})
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    assert ReportDraft.objects.get(pk=draft.pk).status == "draft"
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = client.post(url, {"issued_on": today}, follow=True)
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.symbol.startswith("01/BC-")
    assert f"Document No. {draft.symbol} has been issued on {today}." in (response.content.decode())


# Numbering modes ---------------------------------------------------------------------------


def test_own_registry_the_number_is_typed_and_a_used_one_is_refused(bloc, chair, renderer):
    Organization.objects.filter(pk=chair.pk).update(numbering="registry")
    first = make_draft(bloc, YEAR)
    with pytest.raises(ValidationError) as exc:
        issue(first)
    assert exc.value.messages == [issuing.NUMBER_REQUIRED % {"organization": chair}]
    issue(first, number=125)
    first.refresh_from_db()
    assert (first.symbol, first.numbering) == ("125/BC-HLHPN", "registry")
    second = make_draft(bloc, YEAR, "mid_year")
    with pytest.raises(ValidationError) as exc:
        issue(second, number=125)
    registry = {"symbol": "125/BC-HLHPN", "year": YEAR, "registry": chair}
    assert exc.value.messages == [issuing.NUMBER_TAKEN % registry]
    second.refresh_from_db()
    assert second.status == "draft" and second.number is None
    # Another type, same number: another symbol, which the registry may hold.
    minutes = services.draft_get_or_create(
        bloc=bloc, year=YEAR, kind="minutes", meeting=_meeting(bloc)
    )
    issue(minutes, number=125)
    minutes.refresh_from_db()
    assert minutes.symbol == "125/BB-HLHPN"
    assert not NumberSequence.objects.exists()  # the portal's counter is not used


def test_the_typed_number_field_shows_only_for_an_own_registry(world, client_for, english):
    Organization.objects.filter(pk=world.orgs[0].pk).update(numbering="registry")
    draft = make_draft(world.bloc, YEAR)
    client = client_for("secretariat")
    url = reverse("reports:document_issue", args=[draft.pk])
    assert 'name="number"' in client.get(url).content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = client.post(url, {"issued_on": today})
    assert response.status_code == 200 and ReportDraft.objects.get(pk=draft.pk).number is None


def test_the_bloc_series_numbers_per_bloc(chair, bloc, renderer):
    Organization.objects.filter(pk=chair.pk).update(numbering="bloc")
    other_bloc = BlocFactory(name="Cụm thi đua số 5", locality="Hải Phòng")
    MembershipFactory(bloc=other_bloc, organization=chair, first_year=YEAR - 2)
    ChairTermFactory(bloc=other_bloc, year=YEAR, chair=chair)
    one, two = make_draft(bloc, YEAR), make_draft(other_bloc, YEAR)
    issue(one)
    issue(two)
    again = make_draft(bloc, YEAR, "mid_year")
    issue(again)
    for d in (one, two, again):
        d.refresh_from_db()
    # The same chair issues in two blocs: each bloc keeps its own series.
    assert (one.symbol, two.symbol, again.symbol) == ("01/BC-HLHPN", "01/BC-HLHPN", "02/BC-HLHPN")
    assert (one.series_bloc, two.series_bloc) == (bloc, other_bloc)
    assert NumberSequence.objects.get(bloc=bloc, year=YEAR).last == 2
    assert NumberSequence.objects.get(bloc=other_bloc, year=YEAR).last == 1
    assert not NumberSequence.objects.filter(issuer=chair).exists()


def test_the_portal_skips_a_number_the_issuer_typed_in_its_own_registry(bloc, chair, renderer):
    Organization.objects.filter(pk=chair.pk).update(numbering="registry")
    issue(make_draft(bloc, YEAR), number=1)
    Organization.objects.filter(pk=chair.pk).update(numbering="portal")
    later = make_draft(bloc, YEAR, "mid_year")
    issue(later)
    later.refresh_from_db()
    assert later.symbol == "02/BC-HLHPN"


def test_a_profile_switched_after_issue_keeps_the_issued_and_moves_the_drafts(
    bloc, draft, monkeypatch, django_capture_on_commit_callbacks
):
    pages: list[str] = []

    def writer(html):
        pages.append(html)
        return rendering.RenderedPdf(pdf=PDF_BYTES, page_count=2)

    monkeypatch.setattr(rendering, "html_to_pdf", writer)
    report = issue(draft, build_now=True)
    style = DocumentStyle.objects.get(code="nd30")
    style.header, style.number_pattern = "youth", "{number}-{type}/{issuer}"
    style.save()
    # A reprint of the issued document (a retry) renders what was issued.
    Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=Report.objects.get(pk=report.pk))
    assert len(pages) == 2 and pages[0] == pages[1]
    assert "Số: 01/BC-HLHPN" in pages[1] and "Độc lập - Tự do - Hạnh phúc" in pages[1]
    draft.refresh_from_db()
    assert draft.symbol == "01/BC-HLHPN"
    # A draft follows the profile as it is now.
    mid_year = make_draft(bloc, YEAR, "mid_year")
    header = documents.gather_for_draft(mid_year)["header"]
    assert header["number"] == f"Số: {documents.BLANK_NUMBER}-BC/HLHPN"
    assert header["style"] == "youth"


@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_with_one_typed_number_one_is_refused(renderer):
    """Two secretaries issue two documents with the same number from the registry at the
    same moment: the unique constraint lets exactly one through (PostgreSQL: SQLite has no
    concurrent writers to race)."""
    if connection.vendor != "postgresql":
        _skip_or_fail("concurrent issues need PostgreSQL: set DATABASE_URL")
    chair = OrganizationFactory(
        abbreviation="HLHPN", numbering="registry", head_name="Vũ Thị Bích Liên"
    )
    bloc = BlocFactory(locality="Hải Phòng")
    MembershipFactory(bloc=bloc, organization=chair, first_year=YEAR - 2)
    ChairTermFactory(bloc=bloc, year=YEAR, chair=chair)
    drafts = [make_draft(bloc, YEAR), make_draft(bloc, YEAR, "mid_year")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    real_save = ReportDraft.save

    def meet_then_save(self, *args, **kwargs):
        if self.status == "issued":
            # Both have found the number free in the registry; now both write it.
            barrier.wait(timeout=10)
        real_save(self, *args, **kwargs)

    def run(d):
        try:
            issue(d, number=7)
            outcomes.append("issued")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # anything else fails the assertion below, with its name
            outcomes.append(repr(exc))
        finally:
            connection.close()

    ReportDraft.save = meet_then_save  # type: ignore[method-assign]
    try:
        threads = [threading.Thread(target=run, args=(d,)) for d in drafts]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        ReportDraft.save = real_save  # type: ignore[method-assign]
    taken = issuing.NUMBER_TAKEN % {"symbol": "07/BC-HLHPN", "year": YEAR, "registry": chair}
    assert sorted(outcomes) == sorted(["issued", taken]), outcomes
    assert ReportDraft.objects.filter(status="issued", symbol="07/BC-HLHPN").count() == 1


# Replacement -------------------------------------------------------------------------------


def test_a_replacement_names_the_old_one_and_replaces_it_when_issued(
    draft, renderer, django_user_model
):
    issue(draft, issued_on=date(YEAR, 12, 1))
    draft.refresh_from_db()
    new = issuing.document_replace(draft=draft)
    assert issuing.document_replace(draft=draft) == new  # started once
    assert (new.status, new.replaces, new.number) == ("draft", draft, None)
    assert new.situation == draft.situation and new.signer_name == draft.signer_name
    draft.refresh_from_db()
    assert draft.status == "issued"  # in force until the replacement is issued
    # The same kind is opened as the replacement being written.
    assert services.draft_get_or_create(bloc=draft.bloc, year=YEAR, kind="year_end") == new
    services.draft_update(draft=new, results="Số liệu đã đính chính.")
    report = issue(new)
    new.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == "replaced" and new.status == "issued"
    assert new.symbol == "02/BC-HLHPN"
    text = f"Văn bản này thay thế văn bản số 01/BC-HLHPN ngày 01/12/{YEAR}."
    assert report.data["replaces"]["text"] == text
    assert text in documents.render_html(report, report.data)
    assert draft.history.first().history_change_reason == (
        f"Bị thay thế bởi văn bản số 02/BC-HLHPN ngày 20/12/{YEAR}"
    )
    with pytest.raises(ValidationError) as exc:
        issuing.document_replace(draft=draft)
    assert exc.value.messages == [issuing.ALREADY_REPLACED % {"symbol": "02/BC-HLHPN"}]


def test_a_replacement_keeps_every_narrative_section_of_its_kind(draft, renderer):
    from reports.kinds.registry import get_kind

    texts = {name: f"Nội dung của mục {name}." for name in get_kind(draft.kind).section_fields}
    assert "strengths" in texts  # the year-end report's "Ưu điểm", once left behind
    services.draft_update(draft=draft, **texts)
    issue(draft, issued_on=date(YEAR, 12, 1))
    draft.refresh_from_db()
    new = issuing.document_replace(draft=draft)
    assert {name: getattr(new, name) for name in texts} == texts


def test_a_draft_cannot_be_replaced(draft):
    with pytest.raises(ValidationError) as exc:
        issuing.document_replace(draft=draft)
    assert exc.value.messages == [issuing.REPLACE_NOT_ISSUED]


def test_both_stay_downloadable_and_the_list_marks_the_old_one(
    world, client_for, renderer, english
):
    old = make_draft(world.bloc, YEAR)
    make_issued(old)
    client = client_for("secretariat")
    response = client.post(reverse("reports:document_replace", args=[old.pk]))
    new = ReportDraft.objects.get(replaces=old)
    assert response.url == new.get_absolute_url()
    make_issued(new)
    member = client_for("member")
    page = member.get(reverse("reports:report_list", args=[world.bloc.pk])).content.decode()
    assert 'data-document-status="replaced"' in page
    assert f"replaced by No. {new.symbol}" in page
    for d in (old, new):
        url = reverse("reports:document_download", args=[d.pk])
        assert url in page
        response = member.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    page = client_for("secretariat").get(old.get_absolute_url()).content.decode()
    assert f"Replaced by No. {new.symbol}." in page and 'id="replace-button"' not in page


def test_the_list_costs_the_same_with_issued_and_replaced_documents(
    world, client_for, renderer, django_assert_num_queries
):
    first = make_draft(world.bloc, YEAR)
    make_issued(first)
    client = client_for("member")
    url = reverse("reports:report_list", args=[world.bloc.pk])

    def grow():
        for kind in ("mid_year", "pledge"):
            d = make_draft(world.bloc, YEAR, kind)
            make_report(d)
            make_issued(d)
            make_issued(issuing.document_replace(draft=d))
        make_issued(issuing.document_replace(draft=first))

    _assert_constant(client, url, grow, django_assert_num_queries)


# The signed scan ---------------------------------------------------------------------------


def _scan(name="ban-ky.pdf", content=SCAN_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_signed_scan_is_what_members_download(world, client_for, renderer, english):
    draft = make_draft(world.bloc, YEAR)
    issued = make_issued(draft)
    # One test client: client_for logs it in as the role asked for.
    secretariat = client_for("secretariat")
    scan_url = reverse("reports:document_scan", args=[draft.pk])
    # Not a PDF: refused with the reason, nothing filed.
    fake = SimpleUploadedFile("ban-ky.pdf", b"<html>not a pdf</html>")
    response = secretariat.post(scan_url, {"file": fake})
    assert response.status_code == 200 and "not a real PDF file" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.scan
    response = secretariat.post(scan_url, {"file": _scan()})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.scan and draft.scan_name == "ban-ky.pdf"
    assert draft.history.first().history_change_reason == "Tải lên bản quét có chữ ký"
    # Members get the scan; the generated PDF stays with the secretariat.
    member = client_for("member")
    response = member.get(reverse("reports:document_download", args=[draft.pk]))
    assert b"".join(response.streaming_content) == SCAN_BYTES
    generated = reverse("reports:report_download", args=[issued.pk])
    assert member.get(generated).status_code == 403
    response = client_for("secretariat").get(generated)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES


def test_replacing_a_scan_needs_a_confirmation(world, client_for, renderer, english):
    draft = make_draft(world.bloc, YEAR)
    make_issued(draft)
    issuing.scan_upload(draft=draft, uploaded=_scan())
    client = client_for("secretariat")
    url = reverse("reports:document_scan", args=[draft.pk])
    assert 'id="scan-exists"' in client.get(url).content.decode()
    second = SCAN_BYTES.replace(b"signed", b"SIGNED")
    response = client.post(url, {"file": _scan("lan-2.pdf", second)})
    assert response.status_code == 200 and "tick the box" in response.content.decode()
    draft.refresh_from_db()
    assert draft.scan_name == "ban-ky.pdf"
    response = client.post(url, {"file": _scan("lan-2.pdf", second), "replace": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.scan_name == "lan-2.pdf"
    assert draft.history.first().history_change_reason == "Thay bản quét có chữ ký"


def test_a_scan_needs_an_issued_document(draft):
    with pytest.raises(ValidationError) as exc:
        issuing.scan_upload(draft=draft, uploaded=_scan())
    assert exc.value.messages == [issuing.SCAN_NOT_ISSUED]


def test_only_the_secretariat_issues_replaces_and_files_scans(world, client_for, renderer):
    draft = make_draft(world.bloc, YEAR)
    member = client_for("member")
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = member.post(reverse("reports:document_issue", args=[draft.pk]), {"issued_on": today})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    make_issued(draft)
    for name in ("document_replace", "document_scan"):
        response = member.post(reverse(f"reports:{name}", args=[draft.pk]), {"file": _scan()})
        assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.scan and not ReportDraft.objects.filter(replaces=draft).exists()


# Admin -------------------------------------------------------------------------------------


def test_the_admin_shows_the_numbering_mode_and_the_register(world, client_for, renderer, english):
    chair = world.orgs[0]
    Organization.objects.filter(pk=chair.pk).update(numbering="registry")
    draft = make_draft(world.bloc, YEAR)
    make_issued(draft, number=42)
    never_issued = make_draft(world.bloc, YEAR, "mid_year")
    admin = client_for("admin")
    page = admin.get(reverse("admin:blocs_organization_change", args=[chair.pk])).content
    assert b'name="numbering"' in page and b'value="registry" selected' in page
    register = admin.get(reverse("admin:reports_issueddocument_changelist")).content.decode()
    assert f"42/BC-{chair.abbreviation}" in register
    assert "Its own registry (the number is typed at issue)" in register
    assert reverse("admin:reports_issueddocument_change", args=[never_issued.pk]) not in register
    # An issued document is read-only in the admin too; its history says what happened.
    change = admin.get(reverse("admin:reports_reportdraft_change", args=[draft.pk])).content
    assert b'name="_save"' not in change
    never = admin.get(reverse("admin:reports_reportdraft_change", args=[never_issued.pk]))
    assert b'name="_save"' in never.content
    history = admin.get(reverse("admin:reports_reportdraft_history", args=[draft.pk])).content
    assert f"Ban hành: số 42/BC-{chair.abbreviation}".encode() in history


def test_drafts_numbered_before_issuing_existed_become_issued(draft, renderer):
    """The migration: a draft that got its number at its first build (the old rule) went out
    with it, so it is an issued document and its latest ready build the issued one."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0007_issuing_and_registries")
    ReportDraft.objects.filter(pk=draft.pk).update(
        number=3, number_year=YEAR, symbol="03/BC-HLHPN", issue_date=date(YEAR, 3, 1)
    )
    older, latest = make_report(draft), make_report(draft)
    untouched = make_draft(draft.bloc, YEAR, "mid_year")
    migration.numbered_drafts_were_issued(apps, None)
    draft.refresh_from_db()
    assert (draft.status, draft.numbering) == ("issued", "portal")
    assert list(Report.objects.filter(issued=True)) == [latest]
    assert not Report.objects.get(pk=older.pk).issued
    untouched.refresh_from_db()
    assert untouched.status == "draft"


def test_an_issue_holds_when_the_broker_is_down(
    draft, monkeypatch, django_capture_on_commit_callbacks
):
    """The number, date and content are fixed and the build stays queued for the sweep; the
    issue itself never fails because the message could not be sent."""
    from kombu.exceptions import OperationalError

    from reports.tasks import build_report

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(build_report, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = issue(draft)
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.symbol == "01/BC-HLHPN"
    assert Report.objects.get(pk=report.pk).status == Report.Status.QUEUED


def test_a_member_asking_for_an_issued_pdf_still_being_built_gets_a_message(
    world, client_for, english
):
    draft = make_draft(world.bloc, YEAR)
    issuing.document_issue(draft=draft, issued_on=timezone.localdate())  # queued, not built
    response = client_for("member").get(
        reverse("reports:document_download", args=[draft.pk]), follow=True
    )
    assert response.status_code == 200
    assert "The issued PDF is not ready yet" in response.content.decode()
    never = make_draft(world.bloc, YEAR, "mid_year")
    assert (
        client_for("member").get(reverse("reports:document_download", args=[never.pk])).status_code
        == 404
    )

"""The report pipeline without a broker: drafts, numbers, requests, claims, builds, retries.

Tasks run inline here (eager, forced even when CI sets a broker). The PDF renderer is
replaced by a fake that records its calls, so these tests are about the pipeline; the
real renderer runs in tests/reports/test_worker.py and the browser test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError
from django.utils import timezone
from docx import Document

from blocs.models import Meeting, Organization, current_year
from pledges.models import PledgeSignature
from portal.celery import app as celery_app
from reports import documents, issuing, lease, rendering, services
from reports.documents import gather_for_draft
from reports.models import DocumentStyle, NumberSequence, Report, ReportDraft
from reports.tasks import build_report
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeFactory,
    SecretaryAssignmentFactory,
)

from .helpers import PDF_BYTES, make_draft, make_report

YEAR = current_year()


@pytest.fixture(autouse=True)
def _eager_and_private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_MAX_ATTEMPTS = 3
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def renderer(monkeypatch):
    """A fake html_to_pdf; `renderer.failures` is a list of exceptions to raise first."""

    class Fake:
        calls = 0
        failures: list[BaseException] = []

        def __call__(self, html: str):
            self.calls += 1
            if self.failures:
                raise self.failures.pop(0)
            return rendering.RenderedPdf(pdf=PDF_BYTES, page_count=3)

    fake = Fake()
    monkeypatch.setattr(rendering, "html_to_pdf", fake)
    return fake


@pytest.fixture
def chair(db):
    return OrganizationFactory(
        name="Hội Liên hiệp Phụ nữ thành phố", abbreviation="HLHPN", head_name="Vũ Thị Bích Liên"
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
    return make_draft(bloc, YEAR, situation="Tình hình chung của Khối.")


def media_pdfs(root) -> list[Path]:
    return sorted(Path(root).rglob("*.pdf"))


# Drafts ------------------------------------------------------------------------------------


def test_a_new_draft_starts_from_the_chair_the_bloc_and_the_default_style(bloc, chair):
    draft = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="year_end")
    assert draft.issuer == chair
    assert draft.issuer_title == bloc.name.upper()
    assert draft.place == "Hải Phòng"
    assert draft.style.code == "nd30" and draft.style.is_default
    assert draft.sign_mode == "TM. KHỐI THI ĐUA" and draft.signer_position == "TRƯỞNG KHỐI"
    assert draft.recipients.splitlines()[-1] == "- Lưu: VT."
    assert draft.number is None and draft.symbol == ""
    # Asking again gives the same draft.
    assert services.draft_get_or_create(bloc=bloc, year=YEAR, kind="year_end") == draft


def test_a_bloc_chaired_by_the_youth_union_keeps_the_decree_30_header(bloc):
    """A bloc's document is the bloc's, over its chair: national title and motto, whoever
    chairs it (it once got “ĐOÀN TNCS HỒ CHÍ MINH” and no motto)."""
    youth = Organization.objects.get(kind=Organization.Kind.YOUTH)
    ChairTermFactory(bloc=bloc, year=YEAR + 1, chair=youth)
    draft = services.draft_get_or_create(bloc=bloc, year=YEAR + 1, kind="mid_year")
    assert draft.issuer == youth and draft.issuer_title == bloc.name.upper()
    assert draft.style.code == "nd30"
    header = gather_for_draft(draft)["header"]
    assert header["style"] == "nd30"
    assert header["motto_line1"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_a_youth_union_issuing_in_its_own_name_gets_the_youth_style(bloc):
    youth = Organization.objects.get(kind=Organization.Kind.YOUTH)
    assert services.issues_in_own_name(youth, f"  {youth.name.lower()} ")
    assert not services.issues_in_own_name(youth, bloc.name.upper())
    style = services.default_style(youth, in_own_name=True)
    assert style.code == "youth" and style.youth_title == "ĐOÀN TNCS HỒ CHÍ MINH"
    assert style.number_pattern == "{number}-{type}/{issuer}"
    assert services.default_style(youth, in_own_name=False).code == "nd30"


def test_minutes_are_dated_the_day_of_their_meeting(bloc, renderer):
    meeting = Meeting.objects.create(
        bloc=bloc,
        year=YEAR,
        kind=Meeting.Kind.YEAR_END,
        title="Hội nghị tổng kết",
        # 06:00 in Hà Nội is still 4 January in UTC.
        starts_at=datetime(YEAR, 1, 5, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        place="Hải Phòng",
    )
    draft = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="minutes", meeting=meeting)
    assert draft.issue_date == date(YEAR, 1, 5)  # the local day (Asia/Ho_Chi_Minh)
    # Issued later, they are still dated (and numbered in the year of) their meeting.
    today = date(YEAR + 1, 6, 1)
    assert issuing.default_issue_date(draft, today=today) == date(YEAR, 1, 5)
    issuing.document_issue(draft=draft, issued_on=date(YEAR, 1, 5), today=today)
    draft.refresh_from_db()
    assert (draft.issue_date, draft.number_year) == (date(YEAR, 1, 5), YEAR)


def test_a_pledge_document_is_dated_the_day_it_was_signed(bloc, chair):
    pledge = PledgeFactory(bloc=bloc, year=YEAR)
    draft = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="pledge")
    assert draft.issue_date is None  # nobody has signed: the day it is first requested
    draft.delete()
    signed_at = datetime(YEAR, 2, 11, 14, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    PledgeSignature.objects.create(
        pledge=pledge, organization=chair, signer_name="A", signer_position="B", signed_at=signed_at
    )
    draft = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="pledge")
    assert draft.issue_date == date(YEAR, 2, 11)


def test_minutes_need_a_meeting_of_the_bloc_and_year(bloc):
    with pytest.raises(ValidationError) as exc:
        services.draft_get_or_create(bloc=bloc, year=YEAR, kind="minutes")
    assert services.MINUTES_NEED_MEETING in exc.value.messages
    other = Meeting.objects.create(
        bloc=BlocFactory(), year=YEAR, kind="other", title="Họp", starts_at=timezone.now(),
        place="Hà Nội",
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.draft_get_or_create(bloc=bloc, year=YEAR, kind="minutes", meeting=other)
    assert services.MEETING_OF_ANOTHER_BLOC in exc.value.messages
    assert not ReportDraft.objects.exists()


def test_draft_update_saves_the_narrative_with_history(draft, django_user_model):
    user = django_user_model.objects.create(username="thuky")
    SecretaryAssignmentFactory(bloc=draft.bloc, user=user, first_year=draft.year)
    services.draft_update(draft=draft, actor=user, results="  Kết quả nổi bật.  ")
    draft.refresh_from_db()
    assert draft.results == "Kết quả nổi bật."
    assert draft.history.first().history_user == user


def test_the_services_refuse_whom_the_policy_refuses(draft, django_user_model):
    """Not only the views: whoever calls the services on behalf of a person who is not that
    year's secretariat (last year's assigned secretary here) is refused and nothing changes."""
    former = django_user_model.objects.create(username="thuky-cu")
    SecretaryAssignmentFactory(bloc=draft.bloc, user=former, first_year=draft.year - 1)
    before = draft.results
    with pytest.raises(PermissionDenied):
        services.draft_update(draft=draft, actor=former, results="Sửa trái phép")
    with pytest.raises(PermissionDenied):
        services.report_request(draft=draft, actor=former)
    draft.refresh_from_db()
    assert draft.results == before
    assert not draft.reports.exists()


# Numbers -----------------------------------------------------------------------------------


def test_a_draft_build_consumes_no_number(draft, renderer):
    """Numbers are given at issue (reports/issuing.py, tests/reports/test_issuing.py): a
    draft is built as often as needed, blank number, blank date, marked as a draft."""
    report = services.report_request(draft=draft)
    services.draft_update(draft=draft, results="Thêm một đoạn.")
    services.report_request(draft=draft)
    draft.refresh_from_db()
    assert (draft.number, draft.number_year, draft.symbol) == (None, None, "")
    assert draft.status == ReportDraft.Status.DRAFT
    assert not NumberSequence.objects.exists()
    header = Report.objects.get(pk=report.pk).data["header"]
    assert header["number"] == f"Số: {documents.BLANK_NUMBER}/BC-HLHPN"
    assert header["place_date"].endswith("năm 20..") and header["draft"] is True


def test_an_issuer_without_abbreviation_gets_no_number(draft, renderer):
    Organization.objects.filter(pk=draft.issuer_id).update(abbreviation="")
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        issuing.document_issue(draft=draft, issued_on=date(YEAR, 1, 1))
    assert exc.value.messages == [
        services.ISSUER_WITHOUT_ABBREVIATION % {"organization": draft.issuer}
    ]
    assert not Report.objects.exists()
    assert not NumberSequence.objects.exists()
    draft.refresh_from_db()
    assert draft.status == ReportDraft.Status.DRAFT


def test_the_database_refuses_two_documents_with_one_number_and_symbol(bloc, draft):
    issued = {"status": "issued", "number": 7, "number_year": YEAR, "issue_date": date(YEAR, 1, 2)}
    ReportDraft.objects.filter(pk=draft.pk).update(symbol="07/BC-X", **issued)
    other = make_draft(bloc, YEAR, "mid_year")
    with pytest.raises(IntegrityError):
        ReportDraft.objects.filter(pk=other.pk).update(symbol="07/BC-X", **issued)


def test_allocation_counts_up_from_the_stored_sequence(chair):
    NumberSequence.objects.create(issuer=chair, year=YEAR, last=41)
    assert services.allocate_number(issuer=chair, year=YEAR) == 42
    assert services.allocate_number(issuer=chair, year=YEAR) == 43
    assert services.allocate_number(issuer=chair, year=YEAR + 1) == 1


# Requests ----------------------------------------------------------------------------------


def test_a_request_queues_one_build_after_commit(
    draft, renderer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.report_request(draft=draft)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert (report.attempts, report.page_count, report.size) == (1, 3, len(PDF_BYTES))
    assert report.pdf.name.startswith(f"reports/{draft.bloc_id}/{YEAR}/")
    assert len(report.input_digest) == 64
    assert renderer.calls == 1


def test_the_signer_defaults_to_the_head_of_the_chair_organization(draft, chair):
    assert draft.signer_name == chair.head_name == "Vũ Thị Bích Liên"
    assert draft.place == "Hải Phòng"  # the bloc's locality


def test_the_place_defaults_to_the_issuers_when_the_bloc_has_none(bloc, chair):
    Organization.objects.filter(pk=chair.pk).update(locality="Hải Phòng")
    bloc.locality = ""
    bloc.save()
    draft = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="mid_year")
    assert draft.place == "Hải Phòng"


@pytest.mark.parametrize(
    ("field", "message"), [("signer_name", services.NO_SIGNER), ("place", services.NO_PLACE)]
)
def test_no_build_without_a_signer_or_a_place(
    draft, renderer, field, message, django_capture_on_commit_callbacks
):
    draft = services.draft_update(draft=draft, **{field: "   "})
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as refused,
    ):
        services.report_request(draft=draft)
    assert refused.value.message_dict == {field: [str(message)]}
    assert callbacks == [] and renderer.calls == 0  # nothing queued, nothing built
    draft.refresh_from_db()
    assert draft.number is None and not draft.reports.exists()  # no number drawn


def test_the_pledge_needs_a_place_but_no_single_signer(bloc, renderer):
    pledge = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="pledge")
    pledge = services.draft_update(draft=pledge, signer_name="")
    services.report_request(draft=pledge)  # the members sign its grid
    pledge = services.draft_update(draft=pledge, place="")
    with pytest.raises(ValidationError):
        services.report_request(draft=pledge)


def test_unchanged_inputs_return_the_ready_pdf_without_a_build(
    draft, renderer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(draft=draft)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.report_request(draft=draft)
    assert again == first
    assert callbacks == []  # nothing queued
    assert renderer.calls == 1
    assert Report.objects.count() == 1


def test_changed_inputs_build_a_new_pdf_and_keep_the_old_one(
    draft, renderer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(draft=draft)
    services.draft_update(draft=draft, results="Một kết quả mới.")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_request(draft=draft)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second != first and second.status == Report.Status.READY
    assert second.input_digest != first.input_digest
    assert Path(first.pdf.path).exists() and Path(second.pdf.path).exists()


def test_a_pending_build_is_returned_instead_of_queueing_another(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.report_request(draft=draft)
        services.draft_update(draft=draft, results="Sửa trong lúc chờ.")
        again = services.report_request(draft=draft)
    assert again == first and first.status == Report.Status.QUEUED
    assert len(callbacks) == 1


def test_the_digest_covers_the_data_and_the_template_version(draft, monkeypatch):
    data = documents.gather(Report(draft=draft))
    digest = services.input_digest(data)
    assert digest == services.input_digest(documents.gather(Report(draft=draft)))
    monkeypatch.setattr(documents, "TEMPLATE_VERSION", "something-else")
    assert services.input_digest(data) != digest


# Claims ------------------------------------------------------------------------------------


def queued(draft) -> Report:
    return Report.objects.create(draft=draft, status=Report.Status.QUEUED)


def test_only_one_run_claims_a_report(draft):
    report = queued(draft)
    claimed = services.report_claim(report_id=report.pk)
    assert claimed.status == Report.Status.RUNNING and claimed.attempts == 1
    assert services.report_claim(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.attempts == 1


def test_a_running_report_is_taken_over_when_its_run_is_over_or_stale(draft):
    report = queued(draft)
    services.report_claim(report_id=report.pk)
    # A redelivered message (its worker died) or a retry may take the running row over.
    assert services.report_claim(report_id=report.pk, previous_run_over=True).attempts == 2
    # Once its lease has run out (no heartbeat: its worker is gone), any run may.
    later = timezone.now() + lease.lease() + timedelta(seconds=1)
    assert services.report_claim(report_id=report.pk, now=later).attempts == 3


def test_a_lost_message_is_sent_again_and_the_report_is_built(
    draft, renderer, settings, django_capture_on_commit_callbacks
):
    # The request was saved but its message never reached a worker (the broker restarted
    # without persistence): past REPORT_REQUEUE_AFTER the periodic task sends it again.
    settings.REPORT_REQUEUE_AFTER = 120
    lost = queued(draft)
    Report.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(seconds=121))
    waiting = Report.objects.create(draft=draft, status=Report.Status.QUEUED)  # just asked
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.reports_requeue_lost() == [lost.pk]
    assert len(callbacks) == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == Report.Status.READY and lost.attempts == 1
    assert waiting.status == Report.Status.QUEUED
    assert renderer.calls == 1


def test_a_running_build_whose_lease_ran_out_is_sent_again(draft, renderer):
    report = queued(draft)
    services.report_claim(report_id=report.pk)
    assert services.reports_requeue_lost() == []  # its lease is fresh
    later = timezone.now() + lease.lease() + timedelta(seconds=1)
    assert services.reports_requeue_lost(now=later) == [report.pk]


def test_past_the_attempt_cap_the_report_fails_with_the_reason(draft):
    report = queued(draft)
    for _ in range(3):
        assert services.report_claim(report_id=report.pk, previous_run_over=True)
    assert services.report_claim(report_id=report.pk, previous_run_over=True) is None
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == services._text(
        services.BUILD_GAVE_UP, attempts=3, error=services._text(services.BUILD_WORKER_LOST)
    )


def test_a_run_that_lost_its_claim_leaves_no_file(draft, settings):
    report = queued(draft)
    mine = services.report_claim(report_id=report.pk)
    services.report_claim(report_id=report.pk, previous_run_over=True)  # someone else's now
    docx = b"PK\x03\x04 a docx"
    lost = services.report_mark_ready(
        report=mine, pdf=PDF_BYTES, page_count=1, digest="x", docx=docx
    )
    assert not lost
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and not report.pdf and not report.docx
    assert media_pdfs(settings.MEDIA_ROOT) == []
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*.docx")) == []


def test_the_worker_stores_the_docx_of_the_same_data_beside_the_pdf(draft, renderer, settings):
    services.draft_update(draft=draft, situation="Đã **tổ chức** 3 hội nghị.")
    report = services.report_build_now(draft=draft)
    assert report.status == Report.Status.READY
    assert report.docx.name.endswith(".docx")
    with report.docx.open("rb") as handle:
        document = Document(handle)
    texts = [p.text for p in document.paragraphs]
    assert "Đã tổ chức 3 hội nghị." in texts
    assert any(draft.bloc.name in t for t in texts)  # the gathered facts, not only the text


# The task ----------------------------------------------------------------------------------


def test_a_transient_failure_is_retried_and_ends_with_one_pdf(draft, renderer, settings):
    renderer.failures = [ConnectionError("redis went away")]
    report = queued(draft)
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert report.attempts == 2
    assert report.error == ""
    assert media_pdfs(settings.MEDIA_ROOT) == [Path(report.pdf.path)]


def test_transient_failures_stop_at_the_cap_with_a_clear_error(draft, renderer, settings):
    renderer.failures = [OperationalError("database restarting")] * 5
    report = queued(draft)
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.attempts == 3
    assert report.error == services._text(
        services.BUILD_GAVE_UP, attempts=3, error="database restarting"
    )
    assert renderer.calls == 3
    assert media_pdfs(settings.MEDIA_ROOT) == []


def test_a_build_over_the_soft_time_limit_fails_as_too_slow(draft, renderer, settings):
    renderer.failures = [SoftTimeLimitExceeded()]
    report = queued(draft)
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    seconds = settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert report.error == services._text(services.BUILD_TOO_SLOW, seconds=seconds)
    assert "240" in report.error


def test_a_failure_keeps_every_earlier_pdf(draft, renderer, settings):
    earlier = make_report(draft)
    renderer.failures = [ValueError("bảng điểm hỏng")]
    services.draft_update(draft=draft, results="Sửa lại.")
    report = services.report_request(draft=draft)
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "bảng điểm hỏng" in report.error
    earlier.refresh_from_db()
    assert earlier.status == Report.Status.READY and Path(earlier.pdf.path).exists()


def test_a_finished_report_is_not_built_again_by_a_duplicate_message(draft, renderer):
    report = make_report(draft)
    assert build_report.apply(args=[report.pk]).get() is None
    assert renderer.calls == 0


def test_retry_puts_a_failed_build_back_with_fresh_attempts(
    draft, renderer, django_capture_on_commit_callbacks
):
    report = make_report(draft, Report.Status.FAILED, attempts=3, error="hỏng")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.report_retry(report=report)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.attempts == 1 and report.error == ""


def test_retry_refuses_a_build_that_is_fine(draft):
    for status in (Report.Status.READY, Report.Status.QUEUED):
        with pytest.raises(ValidationError) as exc:
            services.report_retry(report=make_report(draft, status))
        assert exc.value.messages == [str(services.RETRY_NOT_ALLOWED)]


def test_a_stuck_build_may_be_retried(draft):
    report = queued(draft)
    Report.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - services.stale_after() - timedelta(minutes=1)
    )
    report.refresh_from_db()
    assert services.is_stuck(report)
    services.report_retry(report=report)


def test_the_styles_come_back_if_all_were_deleted(bloc):
    DocumentStyle.objects.all().delete()
    assert services.draft_get_or_create(bloc=bloc, year=YEAR, kind="pledge").style.code == "nd30"
    assert DocumentStyle.objects.count() == 2


def test_the_seeded_styles(db):
    styles = {s.code: s for s in DocumentStyle.objects.all()}
    assert styles["nd30"].is_default and styles["nd30"].header == "nd30"
    assert styles["youth"].header == "youth" and not styles["youth"].is_default
    assert styles["nd30"].format_symbol(number=5, type_code="BC", issuer="HLHPN") == "05/BC-HLHPN"
    assert styles["youth"].format_symbol(number=12, type_code="BC", issuer="TĐ") == "12-BC/TĐ"

"""The registry of document kinds (reports/kinds/): every kind is complete and consistent,
the editor shows exactly the sections its document prints, and a kind registered here
shows up in the choices, the editor, the preview and the build with no other change."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import models
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from blocs.models import Meeting, current_year
from portal.celery import app as celery_app
from reports import forms, issuing, rendering, services
from reports.documents import gather_for_draft, render_html
from reports.kinds import (
    DocumentKind,
    Section,
    all_kinds,
    common,
    get_kind,
    kind_choices,
    mid_year,
    register,
    registry,
    unregister,
)
from reports.management.commands.bench_reports import seed_year
from reports.models import Report, ReportDraft

from .helpers import PDF_BYTES, make_draft

YEAR = current_year()
CODES = [
    "year_end",
    "mid_year",
    "minutes",
    "pledge",
    "proposal_memo",
    "proposal_list",
    "achievement",
]
# The kinds the bloc's secretariat writes (not a unit's own report, which needs a proposal).
BLOC_CODES = [code for code in CODES if not get_kind(code).has_subject]


@pytest.fixture(autouse=True)
def _eager_fake_pdf(settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(
        rendering, "html_to_pdf", lambda html: rendering.RenderedPdf(pdf=PDF_BYTES, page_count=1)
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


# The registry -------------------------------------------------------------------------------


def test_the_kinds_in_order_are_the_models_choices():
    assert [kind.code for kind in all_kinds()] == CODES
    assert [code for code, _label in kind_choices()] == CODES
    assert list(ReportDraft._meta.get_field("kind").choices) == kind_choices()
    assert [str(c) for c in ReportDraft.Kind] == CODES  # the names code may use
    assert ReportDraft.Kind.MINUTES == "minutes"


@pytest.mark.parametrize("code", CODES)
def test_every_kind_is_complete(code):
    kind = get_kind(code)
    assert kind.code == code and str(kind.label)
    assert kind.type_code in {"BC", "BB", "GƯ", "TTr", "DS"} and kind.doc_type
    assert get_template(kind.template).origin.name.endswith(kind.template)
    for section in kind.sections:
        field = ReportDraft._meta.get_field(section.field)
        assert isinstance(field, models.TextField), section.field
        assert section.rows > 0 and str(section.label)
    assert ReportDraft(kind=code).type_code == kind.type_code


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown document kind: memo"):
        get_kind("memo")


def test_a_kind_code_is_registered_once():
    with pytest.raises(ValueError, match="two document kinds"):
        register(DocumentKind(**{**vars(get_kind("pledge")), "doc_type": "KHÁC"}))


def test_the_database_rule_on_meetings_follows_the_kinds_that_need_one():
    (constraint,) = [
        c
        for c in ReportDraft._meta.constraints
        if c.name == "report_draft_meeting_only_for_minutes"
    ]
    in_rule = {value for name, value in constraint.condition.children if name == "kind"}
    assert in_rule == {kind.code for kind in all_kinds() if kind.needs_meeting}


def test_the_database_rule_on_subjects_follows_the_kinds_about_one_unit():
    (constraint,) = [
        c
        for c in ReportDraft._meta.constraints
        if c.name == "report_draft_subject_only_for_achievements"
    ]
    about_one_unit = {kind.code for kind in all_kinds() if kind.has_subject}
    assert about_one_unit == {"achievement"}
    assert "('kind', 'achievement')" in str(constraint.condition)


# Sections: what the editor shows is what the document prints --------------------------------


NARRATIVE = sorted({name for kind in all_kinds() for name in kind.section_fields})


@pytest.fixture
def year_drafts(db) -> dict[str, ReportDraft]:
    """A draft of every kind for one seeded year, each narrative field holding a marker."""
    year_end = seed_year(6, tag="kinds")
    review = year_end.bloc.meetings.get(kind=Meeting.Kind.YEAR_END)
    drafts = {"year_end": year_end}
    proposed = year_end.bloc.pledges.get(year=2020).proposals.first().organization
    for code in CODES[1:]:
        drafts[code] = ReportDraft.objects.create(
            bloc=year_end.bloc,
            year=2020,
            kind=code,
            style=year_end.style,
            issuer=year_end.issuer,
            meeting=review if get_kind(code).needs_meeting else None,
            subject=proposed if get_kind(code).has_subject else None,
        )
    for draft in drafts.values():
        for name in NARRATIVE:
            setattr(draft, name, f"MARK-{name}-MARK")
    return drafts


@pytest.mark.parametrize("code", CODES)
def test_the_sections_of_a_kind_are_what_its_template_prints(year_drafts, code):
    html = render_html(None, gather_for_draft(year_drafts[code]))
    printed = {name for name in NARRATIVE if f"MARK-{name}-MARK" in html}
    assert printed == set(get_kind(code).section_fields)


def test_the_year_end_chart_is_drawn_from_the_rankings_own_objects(year_drafts, monkeypatch):
    from pledges import charts
    from pledges.ranking import MemberResult, Results

    seen = []
    real = charts.chart_group_points

    def spy(results, **kwargs):
        seen.append(results)
        return real(results, **kwargs)

    monkeypatch.setattr(charts, "chart_group_points", spy)
    data = gather_for_draft(year_drafts["year_end"])
    (results,) = seen
    assert isinstance(results, Results)
    assert all(isinstance(m, MemberResult) and m.scored for m in results.members)
    assert all(isinstance(v, Decimal) for m in results.members for v in m.group_points.values())
    names = [m.organization.name for m in results.members]
    assert names == [r["name"] for r in data["results"]["rows"]]
    assert data["chart"].startswith("data:image/svg+xml;base64,")


def test_minutes_and_pledges_print_no_narrative_and_review_reports_all_eight():
    assert get_kind("minutes").sections == get_kind("pledge").sections == ()
    assert len(get_kind("year_end").sections) == len(get_kind("mid_year").sections) == 8
    # The general assessment: strengths first, then shortcomings, causes and lessons.
    fields = get_kind("year_end").section_fields
    assert fields[2:6] == ("strengths", "shortcomings", "causes", "lessons")


def _textareas(content: str) -> dict[str, str]:
    """{name: rows} of the editor's text boxes (the recipients box left out)."""
    found = dict(re.findall(r'<textarea name="(\w+)" cols="\d+" rows="(\d+)"', content))
    found.pop("recipients", None)
    return found


@pytest.fixture
def world_drafts(world) -> dict[str, ReportDraft]:
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.MID_YEAR,
        title="Hội nghị sơ kết",
        starts_at=timezone.now(),
        place="Hải Phòng",
        status=Meeting.Status.HELD,
    )
    return {
        code: services.draft_get_or_create(
            bloc=world.bloc,
            year=YEAR,
            kind=code,
            meeting=meeting if get_kind(code).needs_meeting else None,
        )
        for code in BLOC_CODES
    }


@pytest.mark.parametrize("code", BLOC_CODES)
def test_the_editor_shows_exactly_the_sections_its_kind_prints(client_for, world_drafts, code):
    kind = get_kind(code)
    draft = world_drafts[code]
    response = client_for("secretariat").get(reverse("reports:draft_edit", args=[draft.pk]))
    assert response.status_code == 200
    boxes = _textareas(response.content.decode())
    assert boxes == {s.field: str(s.rows) for s in kind.sections}
    form = forms.DraftForm(instance=draft)
    assert list(form.fields) == list(services.draft_fields(kind))
    for section in kind.sections:  # what it prints, then the one line on the markup
        assert form.fields[section.field].help_text == f"{section.help_text} {forms.MARKUP_HELP}"


def test_saving_a_draft_takes_only_its_kinds_sections(world_drafts):
    minutes = world_drafts["minutes"]
    with pytest.raises(TypeError, match="situation"):
        services.draft_update(draft=minutes, situation="Không in ở đâu cả.")
    copy = services.draft_preview_copy(minutes, situation="Không in.", signer_name="Chủ tọa")
    assert copy.situation == "" and copy.signer_name == "Chủ tọa"


# A kind of one's own -----------------------------------------------------------------------


def _memo_summary(data: dict) -> list[str]:
    return [f"Về công tác thi đua năm {data['year']} của {data['bloc']['name']}"]


MEMO = DocumentKind(
    code="memo",
    label="Commendation memo",
    order=50,
    type_code="TTr",
    doc_type="TỜ TRÌNH",
    template="reports/pdf/mid_year.html",
    sections=(
        Section("situation", "Reasons", rows=6, help_text="Why the bloc proposes it."),
        Section("recommendations", "Proposal", rows=2),
    ),
    gather=mid_year.gather,
    summary=_memo_summary,
    defaults=common.chair_signs,
    present=mid_year.present,
)


@pytest.fixture
def memo():
    register(MEMO)
    yield MEMO
    unregister(MEMO.code)


def test_a_registered_kind_shows_up_everywhere_without_another_change(
    memo, world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("secretariat")
    list_url = reverse("reports:report_list", args=[world.bloc.pk]) + f"?year={YEAR}"
    assert (
        '<option value="memo">Commendation memo</option>' in client.get(list_url).content.decode()
    )
    open_url = reverse("reports:draft_open", args=[world.bloc.pk]) + f"?year={YEAR}"
    response = client.post(open_url, {"kind": "memo"})
    draft = ReportDraft.objects.get(bloc=world.bloc, year=YEAR, kind="memo")
    assert response.url == draft.get_absolute_url()
    assert draft.signer_position == "TRƯỞNG KHỐI" and draft.issuer == world.orgs[0]
    content = client.get(draft.get_absolute_url()).content.decode()
    assert _textareas(content) == {"situation": "6", "recommendations": "2"}
    assert "Why the bloc proposes it." in content and "TỜ TRÌNH" in content
    preview = client.post(
        reverse("reports:draft_preview", args=[draft.pk]), {"situation": "Thành tích nổi bật"}
    )
    assert "Thành tích nổi bật" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(draft=draft)
    report.refresh_from_db()
    assert report.status == Report.Status.READY and not report.xlsx
    # Its type code goes into the number it is issued with.
    issuing.document_issue(draft=draft, issued_on=timezone.localdate())
    draft.refresh_from_db()
    assert draft.symbol == f"01/TTr-{world.orgs[0].abbreviation}"


# Gathered once per build --------------------------------------------------------------------


@pytest.fixture
def gathers(monkeypatch):
    """The draft of every gathering of a kind's facts (request, worker and preview alike)."""
    calls: list[int] = []
    for kind in all_kinds():

        def counting(draft, real=kind.gather):
            calls.append(draft.pk)
            return real(draft)

        monkeypatch.setitem(registry._kinds, kind.code, dataclasses.replace(kind, gather=counting))
    return calls


@pytest.fixture
def htmls(monkeypatch):
    """The HTML of every PDF written."""
    written: list[str] = []

    def fake(html: str):
        written.append(html)
        return rendering.RenderedPdf(pdf=PDF_BYTES, page_count=1)

    monkeypatch.setattr(rendering, "html_to_pdf", fake)
    return written


def test_a_build_renders_the_data_gathered_with_its_request(
    world, gathers, htmls, django_capture_on_commit_callbacks
):
    draft = make_draft(world.bloc, YEAR, situation="Lúc yêu cầu.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(draft=draft)
    assert gathers == [draft.pk]
    assert report.data["sections"]["situation"] == "Lúc yêu cầu."
    assert report.input_digest == services.input_digest(report.data)
    # Pages never load it: only the worker reads what it renders.
    assert "data" in Report.objects.get(pk=report.pk).get_deferred_fields()
    services.draft_update(draft=draft, situation="Sửa sau khi yêu cầu.")
    for callback in callbacks:  # the worker picks the message up now
        callback()
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert gathers == [draft.pk]  # not gathered again by the worker
    assert "Lúc yêu cầu." in htmls[0] and "Sửa sau khi yêu cầu." not in htmls[0]
    assert report.input_digest == services.input_digest(report.data)


def test_a_lost_message_sent_again_builds_from_the_stored_data(
    world, gathers, htmls, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_REQUEUE_AFTER = 120
    draft = make_draft(world.bloc, YEAR, situation="Khối có 4 đơn vị.")
    with django_capture_on_commit_callbacks(execute=False):  # the message never arrives
        report = services.report_request(draft=draft)
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - timedelta(seconds=121))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_requeue_lost() == [report.pk]
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.attempts == 1
    assert gathers == [draft.pk] and len(htmls) == 1
    # Unchanged: asking again returns that PDF without building (and gathers once more).
    assert services.report_request(draft=draft) == report
    assert len(htmls) == 1


def test_a_retried_build_renders_what_was_requested(
    world, gathers, htmls, django_capture_on_commit_callbacks
):
    draft = make_draft(world.bloc, YEAR, situation="Bản được yêu cầu.")
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_request(draft=draft)
    services.report_mark_failed(report_id=report.pk, error="hỏng")
    report.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert gathers == [draft.pk] and "Bản được yêu cầu." in htmls[0]


def test_stored_data_of_an_older_shape_is_gathered_again(
    world, gathers, htmls, django_capture_on_commit_callbacks
):
    draft = make_draft(world.bloc, YEAR, situation="Khối có 4 đơn vị.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(draft=draft)
    Report.objects.filter(pk=report.pk).update(data={"schema": 1, "kind": "year_end"})
    for callback in callbacks:
        callback()
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert gathers == [draft.pk, draft.pk] and "Khối có 4 đơn vị." in htmls[0]


# The live preview ---------------------------------------------------------------------------


def test_the_preview_gathers_again_only_when_the_data_changed(
    world, client_for, gathers, django_assert_num_queries
):
    draft = make_draft(world.bloc, YEAR)
    client = client_for("secretariat")
    url = reverse("reports:draft_preview", args=[draft.pk])
    assert "Dòng một" in client.post(url, {"situation": "Dòng một"}).content.decode()
    assert len(gathers) == 1
    # Typing on: session, user, the blocs and years the user reads (blocs.models.read_spans),
    # draft, secretariat check (blocs.rules.secretariat_spans, one union), the draft copy,
    # the chair terms, the data fingerprint and the bloc's organizing body (the world's bloc
    # has one since the council); none of the members, meetings or pledge queries again.
    with django_assert_num_queries(9):
        response = client.post(url, {"situation": "Dòng một\nDòng hai"})
    assert "Dòng hai" in response.content.decode()
    assert len(gathers) == 1
    # The data changed (a meeting was held): the next keystroke shows it.
    Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.MID_YEAR,
        title="Hội nghị sơ kết 6 tháng đầu năm",
        starts_at=timezone.now(),
        place="Hải Phòng",
        status=Meeting.Status.HELD,
    )
    content = client.post(url, {"situation": "Dòng ba"}).content.decode()
    assert "Hội nghị sơ kết 6 tháng đầu năm" in content
    assert len(gathers) == 2


def test_the_preview_of_another_draft_does_not_share_its_facts(world, client_for):
    client = client_for("secretariat")
    year_end = make_draft(world.bloc, YEAR)
    pledge = make_draft(world.bloc, YEAR, "pledge")
    for draft, title in ((year_end, "BÁO CÁO"), (pledge, "GIAO ƯỚC THI ĐUA")):
        content = client.post(reverse("reports:draft_preview", args=[draft.pk]), {}).content
        assert title in content.decode()

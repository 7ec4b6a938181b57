"""The minutes PDF read back with pdftotext: a signature slot per presiding person, decisions
written in Vietnamese from their data whatever language recorded them, the bloc's own words
(trưởng khối / cụm trưởng), the pledge signatures of a launch, the ranking and proposals of
a year-end review, and no ".." anywhere in the demo's minutes."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from blocs import services as bloc_services
from blocs.models import Attendance, Bloc, Meeting, MeetingDecision, MeetingPerson
from reports.documents import gather_for_draft, render_html
from reports.management.commands.bench_reports import seed_year
from reports.models import DocumentStyle, ReportDraft
from reports.rendering import html_to_pdf
from tests.reports.test_rendering import flat, needs_poppler, text

pytestmark = [pytest.mark.django_db, needs_poppler]


def minutes_text(meeting: Meeting, folder, *, layout: bool = False) -> str:
    """The minutes of `meeting` built as the worker builds them, as one line of text."""
    draft = ReportDraft.objects.create(
        kind="minutes",
        bloc=meeting.bloc,
        year=meeting.year,
        meeting=meeting,
        place=meeting.bloc.locality or "Hải Phòng",
        style=DocumentStyle.objects.filter(is_default=True).first(),
    )
    rendered = html_to_pdf(render_html(None, gather_for_draft(draft)))
    path = folder / f"minutes-{meeting.pk}.pdf"
    path.write_bytes(rendered.pdf)
    return text(path) if layout else flat(text(path))


@pytest.fixture
def year(db):
    """A 6-member bloc's 2020: launch with the pledge signed by all, review with a ballot
    (5 of 6 present), proposals and the election of 2021's chair."""
    draft = seed_year(6, tag="minutes")
    meetings = {m.kind: m for m in draft.bloc.meetings.all()}
    orgs = [m.organization for m in draft.bloc.memberships.order_by("rotation_order")]
    return draft.bloc, meetings, orgs


def test_every_presiding_person_gets_a_signature_slot(year, tmp_path):
    bloc, meetings, _orgs = year
    review = meetings[Meeting.Kind.YEAR_END]
    MeetingPerson.objects.create(
        meeting=review,
        role=MeetingPerson.Role.PRESIDING,
        name="Nguyễn Hữu Lạc",
        position="Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam thành phố",
        order=2,
    )
    body = minutes_text(review, tmp_path, layout=True)
    signing = body[body.rindex("THƯ KÝ") :]
    assert signing.count("CHỦ TỌA") == 2, signing
    for name in ("Trần Thu Hà", "Vũ Thị Bích Liên", "Nguyễn Hữu Lạc"):
        assert name in signing, name


def test_an_election_recorded_from_the_english_interface_prints_in_vietnamese(year, tmp_path):
    bloc, meetings, orgs = year
    review = meetings[Meeting.Kind.YEAR_END]
    with translation.override("en"):
        bloc_services.meeting_elect_chair(
            meeting=review, chair=orgs[3], deputy=orgs[4], replace=True
        )
        bloc_services.meeting_record_decision(meeting=review, kind=MeetingDecision.Kind.RANKING)
        bloc_services.meeting_record_decision(
            meeting=review, kind=MeetingDecision.Kind.OTHER, text="Trao cờ luân lưu cho Thành đoàn."
        )
        # In the English interface the same decision reads in English.
        assert review.decisions.last().sentence() == "Trao cờ luân lưu cho Thành đoàn."
        assert str(review.decisions.filter(kind="election").last().sentence()).startswith(
            f"Elected {orgs[3].name} as bloc chair for 2021"
        )
    body = minutes_text(review, tmp_path)
    assert "Elected" not in body and "chair" not in body
    assert f"- Bầu {orgs[3].name} làm trưởng khối năm 2021, {orgs[4].name} làm phó khối." in body
    assert "- Thông qua kết quả chấm điểm, xếp hạng thi đua năm 2020 của các đơn vị" in body
    assert "- Trao cờ luân lưu cho Thành đoàn." in body


@pytest.mark.parametrize(
    ("kind", "chair", "deputy", "unit"),
    [
        (Bloc.Kind.KHOI, "trưởng khối", "phó khối", "Khối"),
        (Bloc.Kind.CUM, "cụm trưởng", "cụm phó", "Cụm"),
    ],
)
def test_the_bloc_kind_decides_the_words(year, tmp_path, kind, chair, deputy, unit):
    bloc, meetings, orgs = year
    Bloc.objects.filter(pk=bloc.pk).update(kind=kind)
    review = Meeting.objects.get(pk=meetings[Meeting.Kind.YEAR_END].pk)
    body = minutes_text(review, tmp_path)
    assert f"làm {chair} năm 2021" in body
    assert f"làm {deputy}." in body
    assert f"Đơn vị dẫn đầu {unit} năm 2020" in body
    assert "khối/cụm" not in body.lower() and "khối / cụm" not in body.lower()


def test_the_launch_minutes_list_the_pledge_signatures(year, tmp_path):
    bloc, meetings, orgs = year
    body = minutes_text(meetings[Meeting.Kind.LAUNCH], tmp_path)
    assert "Ký kết giao ước thi đua" in body
    assert "Các đơn vị ký kết Giao ước thi đua năm 2020 (6 đơn vị):" in body
    for i, org in enumerate(orgs, start=1):
        assert f"{org.name} Nguyễn Văn {i}, Chủ tịch" in body, org.name
    # No ranking or proposals in a launch.
    assert "xếp hạng" not in body and "Đề nghị khen thưởng" not in body


def test_the_year_end_minutes_carry_the_ranking_and_the_proposals_voted(year, tmp_path):
    bloc, meetings, orgs = year
    body = minutes_text(meetings[Meeting.Kind.YEAR_END], tmp_path)
    start = body.index("Kết quả chấm điểm, xếp hạng thi đua năm 2020")
    ranking = body[start : body.index("Kết quả bỏ phiếu", start)]
    for rank, org in enumerate(orgs, start=1):  # every member, with its rank
        assert org.name.split(" (")[0] in ranking, org.name
        assert f" {rank} " in ranking
    assert len(re.findall(r" \d{2},\d\d ", ranking)) == 6  # the totals, in comma decimals
    assert "Hoàn thành tốt nhiệm vụ" in ranking  # the classification
    # (A page number may fall between the two: the text is read across pages.)
    leading = re.search(r"Đơn vị dẫn đầu Khối năm 2020: (.+?)\. (?:\d+ )?Đề nghị khen thưởng", body)
    assert leading, body
    assert "Hội nghị thống nhất đề nghị khen thưởng 3 trường hợp:" in body
    assert (
        f"- Cờ thi đua của Ủy ban nhân dân thành phố: {leading.group(1)} (theo kết quả bỏ "
        "phiếu suy tôn đơn vị dẫn đầu Khối)."
    ) in body
    assert body.count("- Bằng khen của Chủ tịch UBND thành phố:") == 2


def test_the_demo_minutes_have_no_double_full_stop(tmp_path):
    call_command("load_demo", force=True, stdout=StringIO())
    meetings = list(Meeting.objects.select_related("bloc").order_by("starts_at"))
    assert len(meetings) == 5
    for meeting in meetings:
        assert meeting.status == Meeting.Status.APPROVED, meeting
        body = minutes_text(meeting, tmp_path)
        # (A draft's date line is blank, "ngày    tháng    năm 20..": that is not a sentence.)
        sentences = body.replace("…", "").replace("năm 20..", "")
        assert ".." not in sentences, (meeting.title, body)
        # Approved: nothing the record lacks is printed as "…".
        assert "Chủ trì (chủ tọa): …" not in body and "Thư ký (người ghi biên bản): …" not in body
        assert re.search(r"kết thúc vào \d+ giờ \d\d, ngày", body), meeting.title
        assert "khối/cụm" not in body.lower()


def test_an_absence_prints_its_reason_in_the_attendance_table(year, tmp_path):
    bloc, meetings, orgs = year
    review = meetings[Meeting.Kind.YEAR_END]
    absent = review.attendance.exclude(status=Attendance.Status.PRESENT).first()
    assert absent is not None  # the seeded review has 5 of 6 present
    absent.status = Attendance.Status.EXCUSED
    absent.absence_reason = "Đi công tác nước ngoài."
    absent.save()
    draft = ReportDraft.objects.create(
        kind="minutes",
        bloc=bloc,
        year=review.year,
        meeting=review,
        place="Hải Phòng",
        style=DocumentStyle.objects.filter(is_default=True).first(),
    )
    html = render_html(None, gather_for_draft(draft))
    row = html[html.index(f"<td>{absent.organization.name}</td>") :]
    row = row[: row.index("</tr>")]
    # The reason without its full stop, after the status, in the member's row.
    assert '<td class="c-att">Vắng có lý do (Đi công tác nước ngoài)</td>' in row, row
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(html_to_pdf(html).pdf)
    assert "Vắng có lý do (Đi" in flat(text(pdf))  # and the PDF prints it

"""Demo documents (see `manage.py load_demo`): the Hải Phòng bloc's year-end review report of
2020, issued on 29/12/2020 (the day of the review, as the real one was) and ready to download,
and its commendation dossier of 2020 (`load_dossier`): the minutes of the review, each
proposed unit's achievement report, the memo to the council and the list of proposals.

The narrative paraphrases seed 000 (the results of 2020, the directions for 2021 and the
Front's recommendations at the review of 29/12/2020); the shortcomings, causes and lessons
are not in the article and say so. Everything else in the report (members, chair and deputy,
meetings, pledge contents, scores, ranking, ballot, proposals, next year's chair) is gathered
from the demo data. It is issued with the chair's number from the portal's registry (the
article gives no number: the first of 2020) and its PDF is built in this process, not queued,
so it is ready whether or not a worker runs. Keyed on (bloc, year, kind): an existing draft is
left alone, and it is issued only while it is not.
"""

from __future__ import annotations

import datetime as dt

from blocs import demo as blocs_demo
from blocs.models import Bloc

from . import issuing, services
from .models import ReportDraft

NOT_IN_ARTICLE = "(Bài báo không nêu; bộ phận giúp việc bổ sung trước khi ban hành.)"

HP_2020 = {
    # The composition, chair and deputy are written from the data; this is the year's setting.
    "situation": (
        "Năm 2020, bên cạnh những thuận lợi, các đơn vị trong Khối triển khai nhiệm vụ trong "
        "bối cảnh dịch COVID-19 và thiên tai, lũ lụt ở miền Trung; các đơn vị vừa tham gia "
        "phòng, chống dịch, ủng hộ đồng bào bị thiên tai, vừa phấn đấu hoàn thành chương "
        "trình công tác năm, góp phần thực hiện chủ đề năm 2020 của thành phố."
    ),
    "results": (
        "Các đơn vị tập trung xây dựng, củng cố tổ chức Hội, đoàn thể trong sạch vững mạnh; "
        "tích cực phát triển đoàn viên, hội viên, giới thiệu quần chúng ưu tú cho Đảng. 100% "
        "các đơn vị trong Khối đạt và vượt chỉ tiêu thu hút hội viên thông qua các mô hình "
        "mới, cách làm hay sáng tạo.\n"
        "Các đơn vị tổ chức sâu rộng các phong trào thi đua yêu nước, các đợt thi đua đặc biệt "
        "chào mừng Đại hội Đảng các cấp và các ngày lễ lớn; làm tốt công tác nhân rộng mô "
        "hình, biểu dương điển hình tiên tiến; thực hiện tốt công tác an sinh xã hội; tích cực "
        "tham gia phòng, chống dịch COVID-19 và ủng hộ đồng bào miền Trung bị thiên tai, lũ lụt."
    ),
    "shortcomings": NOT_IN_ARTICLE,
    "causes": NOT_IN_ARTICLE,
    "lessons": NOT_IN_ARTICLE,
    "directions": (
        "Tổ chức học tập, quán triệt và xây dựng Chương trình hành động thực hiện Nghị quyết "
        "Đại hội Đảng toàn quốc lần thứ XIII và Nghị quyết Đại hội Đảng các cấp; tiếp tục đổi "
        "mới, đẩy mạnh phong trào thi đua yêu nước, phát hiện, bồi dưỡng, tổng kết và nhân "
        "rộng điển hình tiên tiến.\n"
        "Xây dựng và thực hiện chương trình phối hợp giữa Mặt trận Tổ quốc và các đoàn thể "
        "chính trị - xã hội trong công tác giám sát và phản biện xã hội; tăng cường ứng dụng "
        "công nghệ thông tin trong chỉ đạo, triển khai hoạt động."
    ),
    "recommendations": (
        "Thực hiện hiệu quả chương trình phối hợp hành động với Mặt trận Tổ quốc Việt Nam "
        "thành phố năm 2021; tập trung thực hiện Cuộc vận động “Toàn dân đoàn kết xây dựng "
        "nông thôn mới, đô thị văn minh”, tham gia hoàn thành 08 xã đạt chuẩn nông thôn mới "
        "kiểu mẫu; tích cực tham gia bầu cử đại biểu Hội đồng nhân dân các cấp."
    ),
}


ISSUED_ON = dt.date(2020, 12, 29)


def load(result, actor) -> None:
    """Issue the Hải Phòng 2020 year-end review report unless it is issued already."""
    bloc = Bloc.objects.get(name=blocs_demo.HP_BLOC)
    kind = ReportDraft.Kind.YEAR_END
    draft = ReportDraft.objects.filter(bloc=bloc, year=2020, kind=kind).first()
    if draft is None:
        draft = services.draft_get_or_create(bloc=bloc, year=2020, kind=kind, actor=actor)
        draft = services.draft_update(
            draft=draft,
            actor=actor,
            issue_date=ISSUED_ON,
            signer_name="Vũ Thị Bích Liên",
            **HP_2020,
        )
        result.note("report drafts", "created")
    if not draft.is_issued:
        try:
            issuing.document_issue(draft=draft, actor=actor, issued_on=ISSUED_ON, build_now=True)
        except OSError as exc:
            # WeasyPrint's system libraries (Pango) are missing on this machine: the portal
            # still runs; the report is built on the next load_demo once they are installed.
            result.note(f"reports not built ({exc.__class__.__name__}: PDF libraries missing)", "")
            return
        result.note("reports", "issued")
    load_dossier(result, actor, bloc)


# The 2020 dossier: the review of 29/12/2020 voted it; the memo goes to the council the next
# day. The units' texts are the demo's (the article names the proposals, not their reports).
DOSSIER_ON = dt.date(2020, 12, 30)
UNIT_TEXT = {
    "situation": (
        "Đơn vị là thành viên của Khối thi đua, thực hiện chức năng, nhiệm vụ theo Điều lệ và "
        "quy định của thành phố; tổ chức bộ máy ổn định, đội ngũ cán bộ đoàn kết, trách nhiệm."
    ),
    "results": (
        "Năm 2020, đơn vị hoàn thành xuất sắc các chỉ tiêu giao ước thi đua; tích cực tham gia "
        "phòng, chống dịch COVID-19 và ủng hộ đồng bào miền Trung bị thiên tai, lũ lụt."
    ),
    "causes": (
        "Sự lãnh đạo sát sao của cấp ủy; phối hợp chặt chẽ với các đơn vị trong Khối; đổi mới "
        "nội dung, phương thức hoạt động, ứng dụng công nghệ thông tin."
    ),
}


def load_dossier(result, actor, bloc: Bloc) -> None:
    """Build and issue the 2020 dossier: every part not issued yet is issued, in the order
    that lets each cite the one before (minutes, reports, memo, list)."""
    from . import dossier

    found = dossier.dossier_prepare(bloc=bloc, year=2020, actor=actor)
    if found.complete:
        return
    order = {dossier.MINUTES: 0, dossier.ACHIEVEMENT: 1, dossier.MEMO: 2, dossier.LIST: 3}
    parts = sorted(found.parts, key=lambda part: order[part.kind])
    for part in parts:
        draft = part.draft
        if draft is None or draft.is_issued:
            continue
        day = ISSUED_ON if part.kind == dossier.MINUTES else DOSSIER_ON
        fields: dict = {"issue_date": day}
        if part.kind == dossier.ACHIEVEMENT:
            fields.update(UNIT_TEXT)
            if not draft.signer_name:
                fields["signer_name"] = "Nguyễn Văn Hùng"
        elif part.kind == dossier.MEMO:
            fields["situation"] = HP_2020["situation"]
        draft = services.draft_update(draft=draft, actor=actor, **fields)
        try:
            issuing.document_issue(draft=draft, actor=actor, issued_on=day, build_now=True)
        except OSError as exc:
            result.note(f"dossier not built ({exc.__class__.__name__}: PDF libraries missing)", "")
            return
    result.note("dossier documents", "issued")

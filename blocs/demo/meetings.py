"""The demo's meetings: one per seed article, with its date, people, agenda and minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..models import (
    Meeting,
    MeetingDecision,
    MeetingPerson,
)
from .data import (
    HN_CLUSTER,
    HN_MTTQ,
    HN_SON_TAY,
    HP_BLOC,
    HP_HLHPN,
    HP_HND,
    HP_MEETING,
    HP_MTTQ,
    HP_TD,
    LC_BLOC,
    LC_MTTQ,
    ND_BLOC,
    ND_MTTQ,
    ND_TU,
    P4_BLOC,
    P4_LDLD,
    P4_MTTQ,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
P = MeetingPerson.Role
D = MeetingDecision.Kind


@dataclass(frozen=True)
class PersonAtMeeting:
    role: str
    name: str
    position: str
    organization: str = ""


@dataclass(frozen=True)
class AgendaSpec:
    title: str
    presenter: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class MeetingSpec:
    bloc: str
    title: str
    kind: str
    year: int
    starts_at: dt.datetime
    place: str
    host: str | None
    people: tuple[PersonAtMeeting, ...]
    agenda: tuple[AgendaSpec, ...]
    minutes: str
    conclusions: str = ""
    representatives: tuple[tuple[str, str, str], ...] = ()  # (organization, name, position)
    elect: tuple[str, str | None] | None = None  # next year's (chair, deputy)
    ends_at: dt.datetime | None = None
    decisions: tuple[tuple[str, int], ...] = ()  # (MeetingDecision.Kind, year) without text


def secretary(organization: str) -> PersonAtMeeting:
    """The minute-taker: no article names one, so the record names the office, as the
    pledges do for signers ("Lãnh đạo …"), rather than an invented person."""
    # The name already says the organization: it is not repeated after the position.
    return PersonAtMeeting(P.SECRETARY, f"Cán bộ {organization}", "Thư ký hội nghị")


def head(organization: str) -> PersonAtMeeting:
    """A presiding person the article does not name: the head of the chairing organization."""
    return PersonAtMeeting(
        P.PRESIDING, f"Lãnh đạo {organization}", "Thủ trưởng đơn vị", organization
    )


LIEN = PersonAtMeeting(P.PRESIDING, "Vũ Thị Bích Liên", "Chủ tịch Hội LHPN thành phố", HP_HLHPN)
PHUONG = PersonAtMeeting(
    P.GUEST,
    "Nguyễn Thị Minh Phương",
    "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam thành phố",
    HP_MTTQ,
)

ND_MEETING = "Hội nghị tổng kết phong trào thi đua năm 2019, phát động phong trào thi đua năm 2020"
LC_MEETING = (
    "Hội nghị lần thứ 7 Ủy ban MTTQ Việt Nam quận khóa XVI: tổng kết công tác Mặt trận "
    "năm 2020, ký kết Giao ước thi đua năm 2021"
)
HN_MEETING = "Hội nghị ký kết giao ước thi đua năm 2020 của Cụm thi đua số 5"
P4_MEETING = "Hội nghị sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm 2020"

MEETINGS: tuple[MeetingSpec, ...] = (
    MeetingSpec(
        bloc=HP_BLOC,
        title=HP_MEETING,
        kind=Meeting.Kind.YEAR_END,
        year=2020,
        starts_at=dt.datetime(2020, 12, 29, 14, 0, tzinfo=VN),
        ends_at=dt.datetime(2020, 12, 29, 17, 0, tzinfo=VN),
        place="Hải Phòng",
        host=HP_HLHPN,
        people=(LIEN, secretary(HP_HLHPN), PHUONG),
        decisions=((D.RANKING, 2020),),
        representatives=((HP_HLHPN, LIEN.name, LIEN.position),),
        agenda=(
            AgendaSpec(
                "Báo cáo tổng kết công tác thi đua năm 2020 và phương hướng nhiệm vụ năm 2021",
                "Hội LHPN thành phố (Trưởng khối năm 2020)",
                "Hội nghị thống nhất đánh giá kết quả năm 2020 và nhiệm vụ năm 2021.",
            ),
            AgendaSpec(
                "Phát biểu của đại biểu Ủy ban MTTQ Việt Nam thành phố",
                PHUONG.name,
            ),
            AgendaSpec(
                "Lựa chọn đơn vị Trưởng khối năm 2021",
                "",
                "Các đơn vị trong Khối thống nhất lựa chọn Thành đoàn Hải Phòng làm Trưởng khối.",
            ),
        ),
        minutes=(
            "Năm 2020, Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội thành phố củng cố tổ "
            "chức trong sạch, vững mạnh; 100% đơn vị trong Khối đạt và vượt chỉ tiêu thu hút hội "
            "viên; triển khai các phong trào thi đua chào mừng Đại hội Đảng các cấp, làm tốt "
            "công tác an sinh xã hội, tham gia phòng chống dịch COVID-19 và ủng hộ đồng bào "
            "miền Trung bị lũ lụt.\n\n"
            "Năm 2021, Khối tiếp tục học tập, quán triệt Nghị quyết Đại hội Đảng toàn quốc lần "
            "thứ XIII, đổi mới phong trào thi đua yêu nước, phối hợp trong giám sát và phản biện "
            "xã hội và tăng cường ứng dụng công nghệ thông tin.\n\n"
            "Đồng chí Nguyễn Thị Minh Phương đề nghị các đơn vị thực hiện hiệu quả chương trình "
            "phối hợp năm 2021, tham gia hoàn thành 8 xã nông thôn mới kiểu mẫu, không còn hộ "
            "nghèo và tích cực tham gia bầu cử đại biểu HĐND các cấp."
        ),
        conclusions=(
            "Hội LHPN thành phố hoàn thành xuất sắc vai trò Trưởng khối năm 2020. Các đơn vị "
            "thống nhất lựa chọn Thành đoàn Hải Phòng làm Trưởng khối năm 2021."
        ),
        elect=(HP_TD, HP_HND),
    ),
    MeetingSpec(
        bloc=ND_BLOC,
        title=ND_MEETING,
        kind=Meeting.Kind.LAUNCH,
        year=2020,
        starts_at=dt.datetime(2020, 2, 12, 14, 0, tzinfo=VN),
        ends_at=dt.datetime(2020, 2, 12, 17, 0, tzinfo=VN),
        place="Nam Định",
        host=None,
        people=(
            # Inferred: the article names no presiding person; the chairman of the provincial
            # Front committee is recorded as presiding.
            PersonAtMeeting(
                P.PRESIDING,
                "Đoàn Văn Hùng",
                "Ủy viên Ban Thường vụ Tỉnh ủy, Chủ tịch Ủy ban MTTQ tỉnh",
                ND_MTTQ,
            ),
            secretary(ND_MTTQ),
            PersonAtMeeting(
                P.GUEST,
                "Trần Văn Chung",
                "Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh",
                ND_TU,
            ),
        ),
        agenda=(
            AgendaSpec("Tổng kết phong trào thi đua năm 2019"),
            AgendaSpec("Phát động phong trào thi đua năm 2020"),
            AgendaSpec("Phát biểu chỉ đạo", "Trần Văn Chung"),
        ),
        minutes=(
            "Năm 2019, Khối đã phát động và triển khai sâu rộng các phong trào thi đua gắn với "
            "Chỉ thị 05-CT/TW, cuộc vận động “Cả nước chung tay vì người nghèo - Không để ai bị "
            "bỏ lại phía sau” và phong trào “Nam Định chung sức xây dựng nông thôn mới”; các "
            "thành viên hoàn thành xuất sắc nhiệm vụ.\n\n"
            "Năm 2020, Khối tiếp tục đẩy mạnh phong trào “Xây dựng nông thôn mới” gắn với mô "
            "hình nông thôn mới kiểu mẫu “sáng - xanh - sạch - đẹp”, thi đua lập thành tích "
            "chào mừng Đại hội Đảng bộ tỉnh lần thứ XX."
        ),
        conclusions=(
            "Đồng chí Trần Văn Chung ghi nhận kết quả của Khối và đề nghị các đơn vị căn cứ tình "
            "hình cụ thể để đăng ký danh hiệu thi đua, bám sát nhiệm vụ kinh tế - xã hội của "
            "tỉnh, góp phần vào thành công Đại hội Đảng bộ các cấp."
        ),
    ),
    MeetingSpec(
        bloc=LC_BLOC,
        title=LC_MEETING,
        kind=Meeting.Kind.YEAR_END,
        year=2020,
        starts_at=dt.datetime(2021, 1, 7, 8, 0, tzinfo=VN),
        ends_at=dt.datetime(2021, 1, 7, 11, 30, tzinfo=VN),
        place="Quận Lê Chân, Hải Phòng",
        host=LC_MTTQ,
        people=(head(LC_MTTQ), secretary(LC_MTTQ), PHUONG),
        decisions=((D.PLEDGE, 2021),),
        agenda=(
            AgendaSpec("Tổng kết công tác Mặt trận năm 2020", LC_MTTQ),
            AgendaSpec("Triển khai chương trình phối hợp thống nhất hành động năm 2021"),
            AgendaSpec(
                "Ký kết Giao ước thi đua năm 2021",
                "",
                "Các đơn vị ký kết Giao ước thi đua năm 2021 với 5 nội dung.",
            ),
            AgendaSpec(
                "Kiện toàn Ủy viên Ủy ban MTTQ Việt Nam quận khóa XVI",
                "",
                "Cho thôi 4 đồng chí Ủy viên; hiệp thương bổ sung 5 đồng chí.",
            ),
        ),
        minutes=(
            "Năm 2020, hệ thống Mặt trận và các tổ chức thành viên từ quận đến phường phát huy "
            "tinh thần đoàn kết, triển khai chương trình phối hợp thống nhất hành động, tham gia "
            "tổ chức Đại hội Đảng các cấp nhiệm kỳ 2020-2025 và phòng, chống dịch Covid-19. Hạn "
            "chế: việc nắm bắt tâm tư nguyện vọng nhân dân ở một số nơi chưa sâu; giám sát, phản "
            "biện xã hội ở một số đơn vị hiệu quả chưa cao.\n\n"
            "Giao ước thi đua năm 2021 gồm 5 nội dung: tuyên truyền, vận động, phát huy khối "
            "đại đoàn kết toàn dân; vận động nhân dân thi đua lao động sáng tạo; thực hiện dân "
            "chủ, tham gia xây dựng Đảng, chính quyền, giám sát và phản biện xã hội; tăng cường "
            "đoàn kết quốc tế, đối ngoại nhân dân; củng cố tổ chức, đổi mới phương thức hoạt "
            "động của MTTQ.\n\n"
            "Hội nghị nhất trí cho thôi 4 đồng chí Ủy viên Ủy ban MTTQ Việt Nam quận khóa XVI và "
            "hiệp thương kiện toàn 5 đồng chí thay thế (thay đổi về cá nhân Ủy viên, không phải "
            "đơn vị thành viên của Khối)."
        ),
    ),
    MeetingSpec(
        bloc=HN_CLUSTER,
        title=HN_MEETING,
        kind=Meeting.Kind.LAUNCH,
        year=2020,
        starts_at=dt.datetime(2020, 2, 11, 14, 0, tzinfo=VN),
        ends_at=dt.datetime(2020, 2, 11, 17, 0, tzinfo=VN),
        place="Ủy ban MTTQ Việt Nam thị xã Sơn Tây",
        host=HN_SON_TAY,
        decisions=((D.PLEDGE, 2020),),
        people=(
            head(HN_SON_TAY),
            secretary(HN_SON_TAY),
            PersonAtMeeting(
                P.GUEST,
                "Nguyễn Thị Kim Dung",
                "Phó Chủ tịch Ủy ban MTTQ Việt Nam thành phố Hà Nội",
                HN_MTTQ,
            ),
        ),
        agenda=(
            AgendaSpec(
                "Thảo luận, thông qua dự thảo kế hoạch công tác thi đua – khen thưởng năm 2020",
                "",
                "Thông qua.",
            ),
            AgendaSpec("Thông qua Quy chế hoạt động của Cụm thi đua số 5", "", "Thông qua."),
            AgendaSpec(
                "Ký kết giao ước thi đua năm 2020",
                "",
                "Các đơn vị trong Cụm ký kết giao ước thi đua năm 2020.",
            ),
        ),
        minutes=(
            "Các đại biểu thảo luận, thông qua kế hoạch thi đua – khen thưởng năm 2020 và Quy "
            "chế hoạt động của Cụm, ký kết giao ước với các nội dung chủ yếu: đổi mới công tác "
            "tuyên truyền, vận động; thực hiện Chuyên đề 2020; Cuộc vận động “Toàn dân đoàn kết "
            "xây dựng nông thôn mới, đô thị văn minh”; thực hiện Quyết định 217, 218 của Bộ "
            "Chính trị về giám sát, phản biện xã hội; sắp xếp tổ chức bộ máy theo Nghị quyết "
            "số 18."
        ),
        conclusions=(
            "Đồng chí Nguyễn Thị Kim Dung đề nghị các đơn vị xây dựng kế hoạch thi đua theo các "
            "đợt, cụ thể hóa thành chỉ tiêu năm 2020; tăng cường giao lưu, học tập mô hình mới; "
            "tổ chức tốt hội nghị đại biểu nhân dân, Cuộc vận động ủng hộ Quỹ “Vì biển đảo Việt "
            "Nam” và tuyên truyền, giám sát công tác phòng, chống dịch bệnh."
        ),
    ),
    MeetingSpec(
        bloc=P4_BLOC,
        title=P4_MEETING,
        kind=Meeting.Kind.MID_YEAR,
        year=2020,
        starts_at=dt.datetime(2020, 7, 1, 14, 0, tzinfo=VN),
        ends_at=dt.datetime(2020, 7, 1, 17, 0, tzinfo=VN),
        place="Hội trường Cơ quan Ủy ban MTTQ Việt Nam tỉnh",
        host=P4_MTTQ,
        people=(
            secretary(P4_MTTQ),
            PersonAtMeeting(
                P.PRESIDING, "Trần Quang Vinh", "Phó Chủ tịch Liên đoàn Lao động tỉnh", P4_LDLD
            ),
            PersonAtMeeting(
                P.PRESIDING,
                "Nguyễn Hữu Lạc",
                "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam tỉnh",
                P4_MTTQ,
            ),
        ),
        representatives=(
            (P4_LDLD, "Trần Quang Vinh", "Phó Chủ tịch Liên đoàn Lao động tỉnh"),
            (P4_MTTQ, "Nguyễn Hữu Lạc", "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam tỉnh"),
        ),
        agenda=(
            AgendaSpec(
                "Báo cáo sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm 2020",
                "Nguyễn Hữu Lạc",
            ),
            AgendaSpec("Nhiệm vụ trọng tâm 6 tháng cuối năm 2020"),
        ),
        minutes=(
            "Báo cáo sơ kết nêu kết quả thực hiện các chỉ tiêu, nhiệm vụ được giao; công tác xây "
            "dựng Đảng, củng cố đội ngũ cán bộ; phòng chống tham nhũng, lãng phí; cải cách thủ "
            "tục hành chính; thi đua khen thưởng và tham gia phòng chống dịch Covid-19."
        ),
        conclusions=(
            "Nhiệm vụ 6 tháng cuối năm 2020: tiếp tục quán triệt các Nghị quyết Trung ương khóa "
            "XII, sơ kết 3 năm thực hiện Chỉ thị 05; tuyên truyền kỷ niệm các ngày lễ lớn; nhân "
            "rộng điển hình tiên tiến; tăng cường phối hợp giữa các tổ chức thành viên."
        ),
    ),
)

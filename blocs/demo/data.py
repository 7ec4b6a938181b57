"""The demo's data: organizations, blocs, chair terms, meetings and people from the five
seed articles (see the package's docstring for what comes from where)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import (
    Bloc,
    ChairTerm,
    Organization,
)

ROTATION_NOTE = "Luân phiên tự động cho dữ liệu mẫu"

K = Organization.Kind
L = Organization.Level
M = ChairTerm.Method


@dataclass(frozen=True)
class OrgSpec:
    name: str
    short_name: str
    abbreviation: str
    kind: str
    level: str
    locality: str
    head_name: str = ""  # family name first: the default signer when it chairs a bloc
    head_position: str = ""


@dataclass(frozen=True)
class TermSpec:
    year: int
    chair: str
    deputy: str | None
    method: str
    note: str


@dataclass(frozen=True)
class BlocSpec:
    name: str
    kind: str
    level: str
    locality: str
    members: tuple[str, ...]  # organization names, in rotation order
    first_year: int
    number: str = ""
    organizing_body: str | None = None
    terms: tuple[TermSpec, ...] = ()
    rotate_to_current_year: bool = False


@dataclass(frozen=True)
class PersonSpec:
    username: str
    # Written family name first, as the account stores it: Django's last_name holds the
    # family and middle names ("Họ và tên đệm"), first_name the given name ("Tên").
    last_name: str  # family and middle names ("Vũ Thị")
    first_name: str  # given name ("Liên"): Vietnamese lists sort by it
    organization: str
    position: str


# --- Organizations -------------------------------------------------------------------------

HP = "Hải Phòng"
HP_MTTQ = "Ủy ban MTTQ Việt Nam thành phố Hải Phòng"
HP_LDLD = "Liên đoàn Lao động thành phố Hải Phòng"
HP_HLHPN = "Hội Liên hiệp Phụ nữ thành phố Hải Phòng"
HP_TD = "Thành đoàn Hải Phòng"
HP_HND = "Hội Nông dân thành phố Hải Phòng"
HP_HCCB = "Hội Cựu chiến binh thành phố Hải Phòng"
# The body that organizes the city's blocs: its emulation and commendation council
# (Hội đồng Thi đua – Khen thưởng thành phố) receives the blocs' proposals.
HP_UBND = "Ủy ban nhân dân thành phố Hải Phòng"

ND = "Nam Định"
ND_TU = "Tỉnh ủy Nam Định"
ND_MTTQ = "Ủy ban MTTQ Việt Nam tỉnh Nam Định"
ND_LDLD = "Liên đoàn Lao động tỉnh Nam Định"
ND_HLHPN = "Hội Liên hiệp Phụ nữ tỉnh Nam Định"
ND_TD = "Tỉnh đoàn Nam Định"
ND_HND = "Hội Nông dân tỉnh Nam Định"
ND_HCCB = "Hội Cựu chiến binh tỉnh Nam Định"

LC = "Lê Chân"
LC_MTTQ = "Ủy ban MTTQ Việt Nam quận Lê Chân"
LC_LDLD = "Liên đoàn Lao động quận Lê Chân"
LC_HLHPN = "Hội Liên hiệp Phụ nữ quận Lê Chân"
LC_QD = "Quận đoàn Lê Chân"
LC_HCCB = "Hội Cựu chiến binh quận Lê Chân"

HN = "Hà Nội"
HN_MTTQ = "Ủy ban MTTQ Việt Nam thành phố Hà Nội"
HN_SON_TAY = "Ủy ban MTTQ Việt Nam thị xã Sơn Tây"
HN_BA_VI = "Ủy ban MTTQ Việt Nam huyện Ba Vì"
HN_PHUC_THO = "Ủy ban MTTQ Việt Nam huyện Phúc Thọ"
HN_THACH_THAT = "Ủy ban MTTQ Việt Nam huyện Thạch Thất"

# Seed 004 does not name its province: the organizations keep the article's generic names.
P4_MTTQ = "Ủy ban MTTQ Việt Nam tỉnh"
P4_LDLD = "Liên đoàn Lao động tỉnh"
P4_HLHPN = "Hội Liên hiệp Phụ nữ tỉnh"
P4_TD = "Tỉnh đoàn"
P4_HND = "Hội Nông dân tỉnh"
P4_HCCB = "Hội Cựu chiến binh tỉnh"

ORGANIZATIONS: tuple[OrgSpec, ...] = (
    # 000 Hải Phòng city
    OrgSpec(HP_MTTQ, "Ủy ban MTTQ thành phố", "MTTQ", K.FRONT, L.PROVINCE, HP),
    OrgSpec(HP_LDLD, "Liên đoàn Lao động thành phố", "LĐLĐ", K.LABOUR, L.PROVINCE, HP),
    OrgSpec(
        HP_HLHPN,
        "Hội LHPN thành phố",
        "HLHPN",
        K.WOMEN,
        L.PROVINCE,
        HP,
        "Vũ Thị Bích Liên",  # seed 000: the chair of the Women's Union, Trưởng khối 2020
        "Chủ tịch Hội Liên hiệp Phụ nữ thành phố",
    ),
    OrgSpec(HP_TD, "Thành đoàn Hải Phòng", "TĐ", K.YOUTH, L.PROVINCE, HP),
    OrgSpec(HP_HND, "Hội Nông dân thành phố", "HND", K.FARMERS, L.PROVINCE, HP),
    OrgSpec(HP_HCCB, "Hội Cựu chiến binh thành phố", "HCCB", K.VETERANS, L.PROVINCE, HP),
    OrgSpec(HP_UBND, "UBND thành phố Hải Phòng", "UBND", K.OTHER, L.PROVINCE, HP),
    # 001 Nam Định province
    OrgSpec(ND_TU, "Tỉnh ủy", "TU", K.OTHER, L.PROVINCE, ND),
    OrgSpec(ND_MTTQ, "Ủy ban MTTQ tỉnh", "MTTQ", K.FRONT, L.PROVINCE, ND),
    OrgSpec(ND_LDLD, "Liên đoàn Lao động tỉnh", "LĐLĐ", K.LABOUR, L.PROVINCE, ND),
    OrgSpec(ND_HLHPN, "Hội LHPN tỉnh", "HLHPN", K.WOMEN, L.PROVINCE, ND),
    OrgSpec(ND_TD, "Tỉnh đoàn Nam Định", "TĐ", K.YOUTH, L.PROVINCE, ND),
    OrgSpec(ND_HND, "Hội Nông dân tỉnh", "HND", K.FARMERS, L.PROVINCE, ND),
    OrgSpec(ND_HCCB, "Hội Cựu chiến binh tỉnh", "HCCB", K.VETERANS, L.PROVINCE, ND),
    # 002 Lê Chân district, Hải Phòng
    OrgSpec(LC_MTTQ, "Ủy ban MTTQ quận Lê Chân", "MTTQ", K.FRONT, L.DISTRICT, LC),
    OrgSpec(LC_LDLD, "Liên đoàn Lao động quận", "LĐLĐ", K.LABOUR, L.DISTRICT, LC),
    OrgSpec(LC_HLHPN, "Hội LHPN quận", "HLHPN", K.WOMEN, L.DISTRICT, LC),
    OrgSpec(LC_QD, "Quận đoàn Lê Chân", "QĐ", K.YOUTH, L.DISTRICT, LC),
    OrgSpec(LC_HCCB, "Hội Cựu chiến binh quận", "HCCB", K.VETERANS, L.DISTRICT, LC),
    # 003 Hà Nội
    OrgSpec(HN_MTTQ, "Ủy ban MTTQ thành phố Hà Nội", "MTTQ", K.FRONT, L.PROVINCE, HN),
    OrgSpec(HN_SON_TAY, "Ủy ban MTTQ thị xã Sơn Tây", "MTTQ", K.FRONT, L.DISTRICT, "Sơn Tây"),
    OrgSpec(HN_BA_VI, "Ủy ban MTTQ huyện Ba Vì", "MTTQ", K.FRONT, L.DISTRICT, "Ba Vì"),
    OrgSpec(HN_PHUC_THO, "Ủy ban MTTQ huyện Phúc Thọ", "MTTQ", K.FRONT, L.DISTRICT, "Phúc Thọ"),
    OrgSpec(
        HN_THACH_THAT, "Ủy ban MTTQ huyện Thạch Thất", "MTTQ", K.FRONT, L.DISTRICT, "Thạch Thất"
    ),
    # 004 an unnamed province
    OrgSpec(P4_MTTQ, "Ủy ban MTTQ tỉnh", "MTTQ", K.FRONT, L.PROVINCE, ""),
    OrgSpec(P4_LDLD, "Liên đoàn Lao động tỉnh", "LĐLĐ", K.LABOUR, L.PROVINCE, ""),
    OrgSpec(P4_HLHPN, "Hội LHPN tỉnh", "HLHPN", K.WOMEN, L.PROVINCE, ""),
    OrgSpec(P4_TD, "Tỉnh đoàn", "TĐ", K.YOUTH, L.PROVINCE, ""),
    OrgSpec(P4_HND, "Hội Nông dân tỉnh", "HND", K.FARMERS, L.PROVINCE, ""),
    OrgSpec(P4_HCCB, "Hội Cựu chiến binh tỉnh", "HCCB", K.VETERANS, L.PROVINCE, ""),
)

# --- Blocs ---------------------------------------------------------------------------------

HP_BLOC = "Khối thi đua Mặt trận Tổ quốc và các tổ chức chính trị - xã hội thành phố"
ND_BLOC = "Khối thi đua Mặt trận Tổ quốc và các đoàn thể tỉnh"
LC_BLOC = "Khối thi đua Mặt trận Tổ quốc và các đoàn thể quận Lê Chân"
HN_CLUSTER = "Cụm thi đua số 5 của Ủy ban MTTQ Việt Nam thành phố Hà Nội"
P4_BLOC = "Khối Mặt trận - Đoàn thể"

HP_MEETING = "Hội nghị tổng kết công tác thi đua năm 2020, triển khai nhiệm vụ năm 2021"
HP_REVIEW_2020 = f"{HP_MEETING}, ngày 29/12/2020"

BLOCS: tuple[BlocSpec, ...] = (
    BlocSpec(
        name=HP_BLOC,
        kind=Bloc.Kind.KHOI,
        level=L.PROVINCE,
        locality=HP,
        organizing_body=HP_UBND,
        members=(HP_MTTQ, HP_LDLD, HP_HLHPN, HP_TD, HP_HND, HP_HCCB),
        first_year=2020,
        terms=(
            TermSpec(
                2020,
                HP_HLHPN,
                HP_TD,
                M.ROTATION,
                "Hội LHPN thành phố hoàn thành xuất sắc vai trò Trưởng khối năm 2020 "
                f"({HP_REVIEW_2020}).",
            ),
            # 2021: elected at the year-end review of 29/12/2020 (see MEETINGS).
        ),
        rotate_to_current_year=True,
    ),
    BlocSpec(
        name=ND_BLOC,
        kind=Bloc.Kind.KHOI,
        level=L.PROVINCE,
        locality=ND,
        members=(ND_MTTQ, ND_LDLD, ND_HLHPN, ND_TD, ND_HND, ND_HCCB),
        first_year=2019,
    ),
    BlocSpec(
        name=LC_BLOC,
        kind=Bloc.Kind.KHOI,
        level=L.DISTRICT,
        locality=LC,
        organizing_body=LC_MTTQ,
        members=(LC_MTTQ, LC_LDLD, LC_HLHPN, LC_QD, LC_HCCB),
        first_year=2020,
        terms=(
            TermSpec(
                2020,
                LC_MTTQ,
                None,
                M.APPOINTMENT,
                "Ủy ban MTTQ Việt Nam quận chủ trì tổng kết công tác Mặt trận năm 2020 "
                "(hội nghị ngày 07/01/2021).",
            ),
            TermSpec(
                2021,
                LC_MTTQ,
                None,
                M.APPOINTMENT,
                "Ủy ban MTTQ Việt Nam quận chủ trì ký kết Giao ước thi đua năm 2021 "
                "với 5 nội dung (hội nghị ngày 07/01/2021).",
            ),
        ),
    ),
    BlocSpec(
        name=HN_CLUSTER,
        kind=Bloc.Kind.CUM,
        level=L.DISTRICT,
        number="5",
        locality=HN,
        organizing_body=HN_MTTQ,
        members=(HN_SON_TAY, HN_BA_VI, HN_PHUC_THO, HN_THACH_THAT),
        first_year=2020,
        terms=(
            TermSpec(
                2020,
                HN_SON_TAY,
                None,
                M.ROTATION,
                "Suy luận: Ủy ban MTTQ thị xã Sơn Tây đăng cai hội nghị ký kết giao ước "
                "thi đua năm 2020 của Cụm ngày 11/02/2020.",
            ),
        ),
    ),
    BlocSpec(
        name=P4_BLOC,
        kind=Bloc.Kind.KHOI,
        level=L.PROVINCE,
        locality="",
        members=(P4_MTTQ, P4_LDLD, P4_HLHPN, P4_TD, P4_HND, P4_HCCB),
        first_year=2020,
        terms=(
            TermSpec(
                2020,
                P4_MTTQ,
                P4_LDLD,
                M.ROTATION,
                "Suy luận: Ủy ban MTTQ tỉnh và Liên đoàn Lao động tỉnh đồng chủ trì hội nghị "
                "sơ kết 6 tháng đầu năm 2020 ngày 01/07/2020.",
            ),
        ),
    ),
)

# --- People --------------------------------------------------------------------------------

PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec(
        "vu.thi.bich.lien",
        "Vũ Thị Bích",
        "Liên",
        HP_HLHPN,
        "Chủ tịch Hội Liên hiệp Phụ nữ thành phố",
    ),
    PersonSpec(
        "nguyen.thi.minh.phuong",
        "Nguyễn Thị Minh",
        "Phương",
        HP_MTTQ,
        "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam thành phố",
    ),
    PersonSpec(
        "tran.van.chung",
        "Trần Văn",
        "Chung",
        ND_TU,
        "Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh",
    ),
    PersonSpec(
        "doan.van.hung",
        "Đoàn Văn",
        "Hùng",
        ND_MTTQ,
        "Ủy viên Ban Thường vụ Tỉnh ủy, Chủ tịch Ủy ban MTTQ Việt Nam tỉnh",
    ),
    PersonSpec(
        "nguyen.thi.kim.dung",
        "Nguyễn Thị Kim",
        "Dung",
        HN_MTTQ,
        "Phó Chủ tịch Ủy ban MTTQ Việt Nam thành phố Hà Nội",
    ),
    PersonSpec(
        "tran.quang.vinh",
        "Trần Quang",
        "Vinh",
        P4_LDLD,
        "Phó Chủ tịch Liên đoàn Lao động tỉnh",
    ),
    PersonSpec(
        "nguyen.huu.lac",
        "Nguyễn Hữu",
        "Lạc",
        P4_MTTQ,
        "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam tỉnh",
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    last_name: str = ""  # family and middle names, written first
    first_name: str = ""  # given name
    position: str = ""
    is_superuser: bool = False


ADMIN = DemoAccount(
    "admin", "admin12345", "Quản trị hệ thống (staff, superuser)", is_superuser=True
)
SECRETARY = DemoAccount(
    "thuky",
    "thuky12345",
    "Thư ký Khối thi đua Hải Phòng (cán bộ đơn vị Trưởng khối năm nay)",
    "Phạm Thu",
    "Hà",
    "Chuyên viên Văn phòng, thư ký Khối thi đua",
)
MEMBER = DemoAccount(
    "hoivien",
    "hoivien12345",
    "Cán bộ đơn vị thành viên (không làm Trưởng khối năm nay)",
    "Nguyễn Văn",
    "Nam",
    "Chuyên viên Văn phòng",
)
COUNCIL = DemoAccount(
    "hoidong",
    "hoidong12345",
    "Hội đồng Thi đua – Khen thưởng thành phố Hải Phòng (cán bộ cơ quan tổ chức Khối)",
    "Trần Thị",
    "Mai",
    "Chuyên viên Ban Thi đua – Khen thưởng, thư ký Hội đồng",
)
DEMO_ACCOUNTS = (ADMIN, SECRETARY, MEMBER, COUNCIL)

# The ordinary member's organization: the first of these that neither chairs nor
# deputises the Hải Phòng bloc this year.
MEMBER_PREFERENCE = (HP_HND, HP_HCCB, HP_LDLD, HP_MTTQ, HP_TD, HP_HLHPN)

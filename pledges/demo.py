"""Demo pledges built on the blocs demo (see `manage.py load_demo`), through the services.

What comes from the seed articles and what is filled in:

- Hải Phòng city bloc, 2020 (seed 000): the article reports the year-end review of
  29/12/2020, where the Women's Union ended its year as chair. The pledge's contents,
  its criteria table (modelled on shared/domain.md §4.2, EXAMPLE VALUES, said in the
  groups' text), the rules, every score, the bonus and penalty lines, the ballot counts
  and the proposals are generated: the article gives none of them. The ballot is linked
  to the 29/12/2020 meeting; the year is closed. The leading unit is also proposed for the
  Government flag, which goes to the city's emulation and commendation council (the bloc's
  organizing body, Ủy ban nhân dân thành phố: generated, the article does not name it): its
  quota is 20% of the collectives leading its blocs, and the Front committee's proposal is on
  hold for an inspection (generated).
- Lê Chân district bloc, 2021 (seed 002): the five contents are the article's, word for
  word; every member organization signed at the conference of 07/01/2021 (the article:
  "Các đơn vị ký kết Giao ước thi đua năm 2021"). The article gives no scoring scale, so
  the criteria are one per content with 100 points shared out (example values, said in
  their text); the same for Hà Nội's cluster below.
- Hà Nội "Cụm thi đua số 5", 2020 (seed 003): signed by the cluster's members on
  11/02/2020 at Sơn Tây; the contents paraphrase the article's plan.
- Hải Phòng city bloc, this year: started from last year's pledge ("Start from last
  year's pledge") and open for signing, so the demo accounts have something to do.

Signers' names are not in the articles except the Women's Union chair; others are
recorded as "Lãnh đạo <organization>" (the head of the organization), not invented names.
Keyed on (bloc, year): a pledge that exists is left alone, so running twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from blocs import demo as blocs_demo
from blocs.models import Bloc, Meeting, Organization, current_year

from . import selectors, services
from .models import (
    Ballot,
    CouncilQuota,
    EmulationTitle,
    Pledge,
    Proposal,
    ProposalHold,
    ScoreSheet,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
EXAMPLE = "giá trị minh họa"

LEGAL_BASIS_2020 = (
    "Căn cứ Luật Thi đua, Khen thưởng năm 2003 (sửa đổi, bổ sung năm 2005, 2009, 2013);\n"
    "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31/7/2017 của Chính phủ quy định chi tiết thi "
    "hành một số điều của Luật Thi đua, khen thưởng;\n"
    "Căn cứ Quy chế hoạt động của Khối thi đua."
)

BANDS = [
    {"name": "Hoàn thành xuất sắc nhiệm vụ", "min": 90},
    {"name": "Hoàn thành tốt nhiệm vụ", "min": 70},
    {"name": "Hoàn thành nhiệm vụ", "min": 50},
]

HP_CONTENTS = (
    "Đẩy mạnh tuyên truyền, vận động đoàn viên, hội viên và Nhân dân thực hiện các chủ trương "
    "của Đảng, chính sách, pháp luật của Nhà nước.",
    "Thực hiện có hiệu quả Chương trình phối hợp và thống nhất hành động của Mặt trận Tổ quốc "
    "và các tổ chức chính trị - xã hội thành phố.",
    "Tham gia giám sát, phản biện xã hội, góp ý xây dựng Đảng, xây dựng chính quyền.",
    "Xây dựng tổ chức vững mạnh; thực hiện tốt chế độ thông tin, báo cáo của Khối.",
)

# (code, text, max points, bonus cap) — shared/domain.md §4.2, example values only.
HP_CRITERIA = (
    (
        "A",
        f"Tiêu chí chung ({EXAMPLE})",
        40,
        None,
        (
            ("A1", "Quán triệt, triển khai nghị quyết, chỉ thị; chương trình công tác năm", 5),
            ("A2", "Tổ chức phong trào thi đua, ký kết giao ước, sơ kết, tổng kết", 10),
            ("A3", "Công tác khen thưởng đúng quy định, kịp thời", 5),
            ("A4", "Xây dựng tổ chức trong sạch vững mạnh; cải cách hành chính", 5),
            ("A5", "Thực hành tiết kiệm, phòng chống tham nhũng; nội bộ đoàn kết", 5),
            ("A6", "Tham gia hoạt động chung của Khối; thông tin, báo cáo đúng hạn", 5),
            ("A7", "Thực hiện Chương trình phối hợp và thống nhất hành động của MTTQ", 5),
        ),
    ),
    (
        "B",
        f"Tiêu chí chuyên môn ({EXAMPLE})",
        60,
        5,
        (
            ("B1", "Tuyên truyền, vận động đoàn viên, hội viên và Nhân dân", 10),
            ("B2", "Phát triển đoàn viên, hội viên; xây dựng tổ chức cơ sở vững mạnh", 10),
            ("B3", "Giám sát, phản biện xã hội; góp ý xây dựng Đảng, chính quyền", 10),
            ("B4", "Các cuộc vận động, phong trào thi đua lớn", 15),
            ("B5", "An sinh xã hội; chăm lo quyền và lợi ích của đoàn viên, hội viên", 10),
            ("B6", "Nhiệm vụ đột xuất; đối ngoại nhân dân", 5),
        ),
    ),
)

# Points lost per member against the maximum (generated): the Women's Union, chair in
# 2020 and the leading unit chosen at the review, loses least.
HP_SHORTFALL = {
    blocs_demo.HP_HLHPN: Decimal("2.5"),
    blocs_demo.HP_TD: Decimal("4"),
    blocs_demo.HP_MTTQ: Decimal("5"),
    blocs_demo.HP_LDLD: Decimal("6.5"),
    blocs_demo.HP_HND: Decimal("9"),
    blocs_demo.HP_HCCB: Decimal("12"),
}

LC_CONTENTS = (
    "Tuyên truyền, vận động, tập hợp các tầng lớp nhân dân, phát huy sức mạnh khối đại đoàn "
    "kết toàn dân, tham gia xây dựng, bảo vệ và phát triển quận.",
    "Vận động nhân dân thi đua lao động sáng tạo, thực hiện thắng lợi các mục tiêu, nhiệm vụ "
    "phát triển kinh tế-xã hội, quốc phòng-an ninh của địa phương.",
    "Thực hiện dân chủ, tham gia xây dựng Đảng, chính quyền; giám sát và phản biện xã hội; "
    "phòng, chống tham nhũng, lãng phí, thực hành tiết kiệm.",
    "Tăng cường đoàn kết quốc tế, mở rộng hoạt động đối ngoại nhân dân.",
    "Tăng cường củng cố tổ chức, đổi mới nội dung, phương thức, nâng cao hiệu quả hoạt động "
    "của MTTQ Việt Nam, đáp ứng yêu cầu nhiệm vụ trong giai đoạn mới.",
)

HN_CONTENTS = (
    "Thực hiện tốt công tác tuyên truyền, vận động các tầng lớp Nhân dân.",
    "Thực hiện Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”.",
    "Thực hiện Quy chế hoạt động của Cụm thi đua và kế hoạch thi đua – khen thưởng năm 2020.",
)


def _head(org: Organization) -> tuple[str, str]:
    if org.name == blocs_demo.HP_HLHPN:
        return "Vũ Thị Bích Liên", "Chủ tịch Hội Liên hiệp Phụ nữ thành phố"
    return f"Lãnh đạo {org.display_name}", "Thủ trưởng đơn vị"


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=VN)


def _advance(pledge: Pledge, status: str, actor) -> Pledge:
    order = list(Pledge.Status.values)
    while order.index(pledge.status) < order.index(status):
        nxt = order[order.index(pledge.status) + 1]
        pledge = services.pledge_set_status(pledge=pledge, status=nxt, actor=actor)
    return pledge


def _new_pledge(result, bloc: Bloc, year: int, title: str, contents, actor, **rules) -> Pledge:
    pledge = services.pledge_create(bloc=bloc, year=year, title=title, actor=actor, **rules)
    rows = [{"order": i, "text": text} for i, text in enumerate(contents, start=1)]
    services.pledge_save_items(pledge=pledge, rows=rows, actor=actor)
    result.note("pledges", "created")
    return pledge


def _sign_all(pledge: Pledge, when: dt.datetime, meeting: Meeting | None, actor) -> None:
    for org in selectors.members_of(pledge):
        name, position = _head(org)
        services.pledge_sign(
            pledge=pledge,
            organization=org,
            signer_name=name,
            signer_position=position,
            signed_at=when,
            meeting=meeting,
            actor=actor,
        )


def _load_hai_phong_2020(result, bloc: Bloc, actor) -> None:
    pledge = _new_pledge(
        result,
        bloc,
        2020,
        "Giao ước thi đua năm 2020 của Khối thi đua Mặt trận Tổ quốc và các tổ chức chính "
        "trị - xã hội thành phố",
        HP_CONTENTS,
        actor,
        legal_basis=LEGAL_BASIS_2020,
        bonus_cap=Decimal("5"),
        penalty_cap=Decimal("5"),
        classification_bands=BANDS,
        tie_break_order=[Pledge.TieBreak.BASE_POINTS, Pledge.TieBreak.BONUS],
        vote_threshold=Decimal("50"),
        vote_base=Pledge.VoteBase.MEMBERS,
        leading_units=1,
    )
    leaves = []
    for order, (code, text, max_points, bonus_cap, children) in enumerate(HP_CRITERIA, 1):
        group = services.criterion_create(
            pledge=pledge, code=code, text=text, max_points=max_points, order=order, actor=actor
        )
        for sub_order, (sub_code, sub_text, sub_max) in enumerate(children, 1):
            leaves.append(
                services.criterion_create(
                    pledge=pledge,
                    parent=group,
                    code=sub_code,
                    text=sub_text,
                    max_points=sub_max,
                    bonus_cap=bonus_cap if sub_code == "B4" else None,
                    order=sub_order,
                    actor=actor,
                )
            )
    titles = {t.code: t for t in EmulationTitle.objects.all()}
    flag, merit = titles.get("co-td-tinh"), titles.get("bk-tinh")
    if flag:
        services.quota_set(pledge=pledge, title=flag, max_count=1, base="leading", actor=actor)
    if merit:
        services.quota_set(
            pledge=pledge, title=merit, max_percent=Decimal("50"), base="members", actor=actor
        )
    pledge = _advance(pledge, Pledge.Status.OPEN, actor)
    _sign_all(pledge, _at(dt.date(2020, 2, 20)), None, actor)
    pledge = _advance(pledge, Pledge.Status.SCORING, actor)

    members = selectors.members_of(pledge)
    for org in members:
        shortfall = HP_SHORTFALL.get(org.name, Decimal("10"))
        _score_member(pledge, org, leaves, shortfall, actor)
    by_name = {org.name: org for org in members}
    services.adjustment_add(
        pledge=pledge,
        organization=by_name[blocs_demo.HP_TD],
        kind="bonus",
        points=Decimal("1"),
        reason="Đăng cai hoạt động chung của Khối",
        actor=actor,
    )
    services.adjustment_add(
        pledge=pledge,
        organization=by_name[blocs_demo.HP_HCCB],
        kind="penalty",
        points=Decimal("0.5"),
        reason="Gửi báo cáo 6 tháng chậm hạn",
        actor=actor,
    )
    review = Meeting.objects.filter(bloc=bloc, title=blocs_demo.HP_MEETING).first()
    women, youth = by_name[blocs_demo.HP_HLHPN], by_name[blocs_demo.HP_TD]
    n = len(members)
    ballot = services.ballot_record(
        pledge=pledge,
        meeting=review,
        purpose=Ballot.Purpose.LEADING,
        title="Bỏ phiếu kín suy tôn đơn vị dẫn đầu Khối năm 2020",
        members_total=n,
        present=n,
        issued=n,
        returned=n,
        valid=n,
        invalid=0,
        tellers="03 đồng chí do Hội nghị bầu",
        candidates=[
            {"organization": women, "votes": n - 1},
            {"organization": youth, "votes": 1},
        ],
        actor=actor,
    )
    if flag:
        services.proposal_add(
            pledge=pledge,
            organization=women,
            title=flag,
            ballot=ballot,
            achievements="Đơn vị dẫn đầu Khối thi đua năm 2020.",
            actor=actor,
        )
    government = titles.get("co-td-cp")
    if government:
        # The leading unit goes on to the city's council for the Government flag.
        services.proposal_add(
            pledge=pledge,
            organization=women,
            title=government,
            ballot=ballot,
            achievements="Đơn vị dẫn đầu Khối thi đua năm 2020, đề nghị Cờ thi đua của Chính phủ.",
            actor=actor,
        )
    if merit:
        for org in (youth, by_name[blocs_demo.HP_MTTQ]):
            services.proposal_add(
                pledge=pledge,
                organization=org,
                title=merit,
                achievements="Hoàn thành xuất sắc nhiệm vụ năm 2020.",
                actor=actor,
            )
    # The sheets were submitted through the services today; date them as the year went
    # (self-scores by 15/12/2020, verification before the review of 29/12/2020).
    sheets = ScoreSheet.objects.filter(pledge=pledge)
    sheets.filter(round=ScoreSheet.Round.SELF).update(submitted_at=_at(dt.date(2020, 12, 15)))
    sheets.filter(round=ScoreSheet.Round.VERIFIED).update(submitted_at=_at(dt.date(2020, 12, 25)))
    _advance(pledge, Pledge.Status.CLOSED, actor)


def _load_council_2020(result, bloc: Bloc) -> None:
    """The city council's side of 2020: its quota for the Government flag (20% of the
    collectives leading the blocs it organizes) and a proposal on hold (an inspection
    under way, Decree 152/2025 Art. 4). Idempotent."""
    body = bloc.organizing_body
    government = EmulationTitle.objects.filter(code="co-td-cp").first()
    if body is None or government is None:
        return
    _quota, created = CouncilQuota.objects.get_or_create(
        organizing_body=body, year=2020, title=government
    )
    if created:
        result.note("council quotas", "added")
    held = (
        Proposal.objects.filter(
            pledge__bloc=bloc,
            pledge__year=2020,
            organization__name=blocs_demo.HP_MTTQ,
        )
        .exclude(holds__isnull=False)
        .first()
    )
    if held is not None:
        services.council_hold(
            proposal=held,
            reason=ProposalHold.Reason.INSPECTION,
            text="Đoàn thanh tra thành phố đang thanh tra việc quản lý tài chính năm 2020; "
            "chờ kết luận thanh tra.",
        )
        result.note("proposals on hold", "added")


def _score_member(pledge, org, leaves, shortfall: Decimal, actor) -> None:
    """Self-scores (submitted) a little above the verified ones, as usually happens."""
    total_max = sum((leaf.max_points for leaf in leaves), Decimal("0"))
    self_sheet = services.sheet_for(pledge=pledge, organization=org, round=ScoreSheet.Round.SELF)
    verified = services.sheet_for(pledge=pledge, organization=org, round=ScoreSheet.Round.VERIFIED)
    self_rows, verified_rows = [], []
    for leaf in leaves:
        # The shortfall spread over the criteria in proportion to their weight.
        lost = (shortfall * leaf.max_points / total_max).quantize(Decimal("0.01"))
        points = max(leaf.max_points - lost, Decimal("0"))
        claimed = min(leaf.max_points, points + Decimal("0.25"))
        bonus = Decimal("1") if leaf.bonus_cap and shortfall < 5 else Decimal("0")
        self_rows.append({"criterion": leaf, "points": claimed, "bonus": bonus})
        verified_rows.append({"criterion": leaf, "points": points, "bonus": bonus})
    services.sheet_save_grid(sheet=self_sheet, rows=self_rows, actor=actor)
    services.sheet_submit(sheet=self_sheet, actor=actor)
    services.sheet_save_grid(
        sheet=verified,
        rows=verified_rows,
        reason="Thẩm định theo hồ sơ minh chứng",
        actor=actor,
    )
    services.sheet_submit(sheet=verified, actor=actor)


def _load_signed(result, bloc, year, title, contents, when, meeting, actor) -> None:
    pledge = _new_pledge(result, bloc, year, title, contents, actor, classification_bands=BANDS)
    # The articles give no scoring scale: one criterion per content, 100 points shared out
    # (example values, said in the text), since a pledge opens for signing with its scale.
    share = Decimal(100) / len(contents)
    for order in range(1, len(contents) + 1):
        points = share.quantize(Decimal("0.01"))
        if order == len(contents):
            points = Decimal(100) - points * (len(contents) - 1)
        services.criterion_create(
            pledge=pledge,
            code=str(order),
            text=f"Thực hiện nội dung {order} của giao ước ({EXAMPLE})",
            max_points=points,
            order=order,
            actor=actor,
        )
    pledge = _advance(pledge, Pledge.Status.OPEN, actor)
    _sign_all(pledge, when, meeting, actor)
    services.pledge_set_status(pledge=pledge, status=Pledge.Status.SIGNED, actor=actor)


def load(result, actor) -> None:
    """Load the demo pledges (see the module docstring); `result` counts what changed."""
    blocs = {
        b.name: b
        for b in Bloc.objects.filter(
            name__in=[blocs_demo.HP_BLOC, blocs_demo.LC_BLOC, blocs_demo.HN_CLUSTER]
        )
    }
    existing = set(Pledge.objects.values_list("bloc__name", "year"))
    # Service messages stored in rows (notes, summaries) are in Vietnamese.
    with translation.override("vi"):
        hp = blocs[blocs_demo.HP_BLOC]
        if (hp.name, 2020) not in existing:
            _load_hai_phong_2020(result, hp, actor)
        _load_council_2020(result, hp)
        lc = blocs[blocs_demo.LC_BLOC]
        if (lc.name, 2021) not in existing:
            meeting = Meeting.objects.filter(bloc=lc, title=blocs_demo.LC_MEETING).first()
            _load_signed(
                result,
                lc,
                2021,
                "Giao ước thi đua năm 2021",
                LC_CONTENTS,
                _at(dt.date(2021, 1, 7)),
                meeting,
                actor,
            )
        hn = blocs[blocs_demo.HN_CLUSTER]
        if (hn.name, 2020) not in existing:
            meeting = Meeting.objects.filter(bloc=hn, title=blocs_demo.HN_MEETING).first()
            _load_signed(
                result,
                hn,
                2020,
                "Giao ước thi đua năm 2020 của Cụm thi đua số 5",
                HN_CONTENTS,
                _at(dt.date(2020, 2, 11), 14),
                meeting,
                actor,
            )
        year = current_year()
        if year > 2020 and (hp.name, year) not in existing:
            pledge = services.pledge_copy_from_previous(bloc=hp, year=year, actor=actor)
            services.pledge_set_status(pledge=pledge, status=Pledge.Status.OPEN, actor=actor)
            result.note("pledges", "created")

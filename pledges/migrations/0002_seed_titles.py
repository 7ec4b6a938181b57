"""Seed the emulation titles and commendation forms a bloc's members aim for or are proposed
for (shared/domain.md §1.7). Idempotent: rows are matched on their code, so running it again
updates names and levels and adds nothing twice. Editable afterwards in the admin."""

from django.db import migrations

# code, name, kind, level, awarded by
TITLES = [
    (
        "co-td-cp",
        "Cờ thi đua của Chính phủ",
        "title",
        "state",
        "Thủ tướng Chính phủ",
    ),
    (
        "co-td-bo",
        "Cờ thi đua cấp bộ, ban, ngành",
        "title",
        "central",
        "Bộ trưởng, Thủ trưởng cơ quan trung ương",
    ),
    (
        "co-td-tinh",
        "Cờ thi đua của Ủy ban nhân dân tỉnh, thành phố",
        "title",
        "province",
        "Chủ tịch Ủy ban nhân dân tỉnh, thành phố",
    ),
    (
        "co-td-ubtu-mttq",
        "Cờ thi đua của Ủy ban Trung ương MTTQ Việt Nam",
        "title",
        "central",
        "Ủy ban Trung ương MTTQ Việt Nam",
    ),
    (
        "co-td-mttq-tinh",
        "Cờ thi đua của Ủy ban MTTQ Việt Nam tỉnh, thành phố",
        "title",
        "province",
        "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh, thành phố",
    ),
    (
        "co-td-tcctxh-tw",
        "Cờ thi đua của tổ chức chính trị - xã hội ở Trung ương",
        "title",
        "central",
        "Tổng LĐLĐ Việt Nam, TW Hội LHPN Việt Nam, TW Đoàn TNCS Hồ Chí Minh, …",
    ),
    (
        "tt-ldxs",
        "Tập thể lao động xuất sắc",
        "title",
        "province",
        "Thủ trưởng bộ, ngành, Chủ tịch Ủy ban nhân dân tỉnh",
    ),
    (
        "tt-ldtt",
        "Tập thể lao động tiên tiến",
        "title",
        "district",
        "Thủ trưởng cơ quan, đơn vị",
    ),
    (
        "bk-ttg",
        "Bằng khen của Thủ tướng Chính phủ",
        "commendation",
        "state",
        "Thủ tướng Chính phủ",
    ),
    (
        "bk-bo",
        "Bằng khen cấp bộ, ban, ngành",
        "commendation",
        "central",
        "Bộ trưởng, Thủ trưởng cơ quan trung ương",
    ),
    (
        "bk-tinh",
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh, thành phố",
        "commendation",
        "province",
        "Chủ tịch Ủy ban nhân dân tỉnh, thành phố",
    ),
    (
        "bk-ubtu-mttq",
        "Bằng khen của Ủy ban Trung ương MTTQ Việt Nam",
        "commendation",
        "central",
        "Ủy ban Trung ương MTTQ Việt Nam",
    ),
    (
        "bk-mttq-tinh",
        "Bằng khen của Ủy ban MTTQ Việt Nam tỉnh, thành phố",
        "commendation",
        "province",
        "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh, thành phố",
    ),
    (
        "giay-khen",
        "Giấy khen",
        "commendation",
        "base",
        "Thủ trưởng cơ quan, đơn vị; Chủ tịch Ủy ban nhân dân cấp xã",
    ),
    (
        "htxs-nv",
        "Hoàn thành xuất sắc nhiệm vụ",
        "rating",
        "province",
        "Hội nghị tổng kết của khối, cụm thi đua",
    ),
    (
        "ht-tot-nv",
        "Hoàn thành tốt nhiệm vụ",
        "rating",
        "province",
        "Hội nghị tổng kết của khối, cụm thi đua",
    ),
]


def seed_titles(apps, schema_editor):
    EmulationTitle = apps.get_model("pledges", "EmulationTitle")
    for order, (code, name, kind, level, awarded_by) in enumerate(TITLES, start=1):
        EmulationTitle.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "level": level,
                "awarded_by": awarded_by,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0001_pledges"),
    ]

    operations = [
        # Reversing keeps the rows: proposals may already point at them.
        migrations.RunPython(seed_titles, migrations.RunPython.noop),
    ]

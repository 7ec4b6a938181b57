"""Seed the two header profiles: Decree 30 (the default) and the Youth Union's."""

from django.db import migrations

STYLES = [
    {
        "code": "nd30",
        "name": "Nghị định 30/2020/NĐ-CP",
        "header": "nd30",
        "number_pattern": "{number}/{type}-{issuer}",
        "is_default": True,
    },
    {
        "code": "youth",
        "name": "Đoàn TNCS Hồ Chí Minh",
        "header": "youth",
        "number_pattern": "{number}-{type}/{issuer}",
        "is_default": False,
    },
]


def seed(apps, schema_editor):
    DocumentStyle = apps.get_model("reports", "DocumentStyle")
    for style in STYLES:
        DocumentStyle.objects.update_or_create(
            code=style["code"], defaults={k: v for k, v in style.items() if k != "code"}
        )


def unseed(apps, schema_editor):
    DocumentStyle = apps.get_model("reports", "DocumentStyle")
    DocumentStyle.objects.filter(code__in=[s["code"] for s in STYLES], drafts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_reports")]

    operations = [migrations.RunPython(seed, unseed)]

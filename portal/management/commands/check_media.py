"""manage.py check_media: every file the database names exists in the media storage.

The restore drill of the README: after restoring a pg_dump and the media folder, the counts
per file field match the live system's and no referenced file is missing. Exits 1 naming
each missing file (at most --show of them)."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models


class Command(BaseCommand):
    help = "Check that every file the database refers to exists in the media storage."

    def add_arguments(self, parser):
        parser.add_argument("--show", type=int, default=20, help="missing files to list")

    def handle(self, *args, show: int, **options):
        missing: list[str] = []
        for model in apps.get_models():
            # History rows (simple_history) name the files of the rows they copy.
            if model._meta.proxy or model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if not isinstance(field, models.FileField):
                    continue
                names = (
                    model._default_manager.exclude(**{field.name: ""})
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list(field.name, flat=True)
                )
                count = lost = 0
                for name in names.iterator():
                    count += 1
                    if not field.storage.exists(name):
                        lost += 1
                        missing.append(f"{model._meta.label}.{field.name}: {name}")
                self.stdout.write(
                    f"{model._meta.label}.{field.name}: {count} files, {lost} missing"
                )
        if missing:
            for line in missing[:show]:
                self.stderr.write(f"missing {line}")
            raise CommandError(
                f"{len(missing)} referenced files are missing from the media storage."
            )
        self.stdout.write("every referenced file is present")

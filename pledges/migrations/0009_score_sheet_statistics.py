"""A larger statistics sample for the scores' sheet column (PostgreSQL only).

At national scale (about 20 million scores on 400,000 sheets) the default sample of
30,000 rows estimated 69,000 sheets, so the planner expected 287 scores per sheet instead
of about 50, and read a sheet's scores with their authors by hashing every user (7.6 ms)
instead of a nested loop over the sheet's rows (0.1 ms). A sample of 300,000 rows finds
the real count; ANALYZE of the scores then takes about 9 s instead of 1 s.
"""

from django.db import migrations

TARGET = 1000  # PostgreSQL's default is 100


def _set_statistics(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE pledges_score ALTER COLUMN sheet_id SET STATISTICS {int(target)}"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("pledges", "0008_council_decisions_holds_quotas")]

    operations = [
        migrations.RunPython(_set_statistics(TARGET), _set_statistics(-1)),
    ]

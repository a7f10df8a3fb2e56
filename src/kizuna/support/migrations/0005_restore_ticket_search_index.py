"""Re-create the ticket search index's SQLite triggers, which 0004 drops.

Adding the generated ``in_queue`` column makes SQLite rebuild ``support_ticket``, and a rebuilt table
loses its triggers. ``post_migrate`` would notice and repair it with a warning on every new install;
restoring them here keeps a fresh ``migrate`` quiet. Idempotent, and a no-op on PostgreSQL.
"""

from typing import Any

from django.db import migrations

from kizuna.core.search import create_index


def restore(apps: Any, schema_editor: Any) -> None:
    create_index(schema_editor.connection, apps.get_model("support", "Ticket")._meta.db_table)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0004_ticket_queue_index"),
    ]

    operations = [
        migrations.RunPython(restore, migrations.RunPython.noop, elidable=True),
    ]

"""Indexes for the pipeline board: a column's first cards by close date, or by closing time.

On PostgreSQL they are built with CREATE INDEX CONCURRENTLY (the deal table may be large and in
use), hence a non-atomic migration of its own; SQLite builds them the ordinary way.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("sales", "0002_stage_forecast_category"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="deal",
            index=models.Index(fields=["stage", "expected_close_date"], name="deal_stage_close_idx"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="deal",
            index=models.Index(fields=["stage", "closed_at"], name="deal_stage_closed_at_idx"),
        ),
    ]

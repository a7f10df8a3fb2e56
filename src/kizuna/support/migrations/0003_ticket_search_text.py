"""Search documents for tickets and their search index (kizuna.core.search)."""

from typing import Any

from django.db import migrations, models

from kizuna.core.search import CreateSearchIndex, fill_documents


def _ticket_parts(t: Any) -> list[str]:  # a frozen copy of Ticket.search_parts
    return [t.subject]


def fill(apps: Any, schema_editor: Any) -> None:
    fill_documents(apps.get_model("support", "Ticket"), _ticket_parts, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_list_and_timeline_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        CreateSearchIndex("Ticket"),
    ]

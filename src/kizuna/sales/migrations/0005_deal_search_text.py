"""Search documents for deals and their search index (kizuna.core.search)."""

from typing import Any

from django.db import migrations, models

from kizuna.core.search import CreateSearchIndex, fill_documents


def _deal_parts(d: Any) -> list[str]:  # a frozen copy of Deal.search_parts
    return [d.title, d.company.name if d.company_id else ""]


def fill(apps: Any, schema_editor: Any) -> None:
    deal = apps.get_model("sales", "Deal")
    fill_documents(deal, _deal_parts, using=schema_editor.connection.alias, related=("company",))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_company_search_text"),
        ("sales", "0004_timeline_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        CreateSearchIndex("Deal"),
    ]

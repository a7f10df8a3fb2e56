"""Search documents for contacts and companies, and their search index (kizuna.core.search)."""

from typing import Any

from django.db import migrations, models

from kizuna.core.normalize.search import national_digits
from kizuna.core.search import CreateSearchIndex, fill_documents


# Frozen copies of Contact.search_parts and Company.search_parts as of this migration.
def _contact_parts(c: Any) -> list[str]:
    return [
        f"{c.family_name}{c.given_name}",
        f"{c.family_name_kana}{c.given_name_kana}",
        c.email,
        c.company.name if c.company_id else "",
        national_digits(c.phone),
        national_digits(c.mobile),
    ]


def _company_parts(c: Any) -> list[str]:
    return [c.name, c.name_kana, c.corporate_number or "", national_digits(c.phone)]


def fill(apps: Any, schema_editor: Any) -> None:
    using = schema_editor.connection.alias
    fill_documents(apps.get_model("customers", "Company"), _company_parts, using=using)
    fill_documents(apps.get_model("customers", "Contact"), _contact_parts, using=using, related=("company",))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_list_and_timeline_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        CreateSearchIndex("Contact"),
        CreateSearchIndex("Company"),
    ]

"""pg_trgm for the similarity of idea titles (PostgreSQL only; SQLite has no extensions)."""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_cocreation_and_ideas")]
    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop)]

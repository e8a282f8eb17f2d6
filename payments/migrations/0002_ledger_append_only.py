"""On PostgreSQL, refuse UPDATE and DELETE on the ledger whatever the Python code does."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'payments_ledgerentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_ledger_append_only
  BEFORE UPDATE OR DELETE ON payments_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS payments_ledger_append_only ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_ledger_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

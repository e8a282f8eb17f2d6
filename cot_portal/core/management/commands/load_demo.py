from django.core.management.base import BaseCommand

from cot_portal.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo world: Flemish municipalities, the 2025 call, an open call, demo logins."

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            self.stdout.write(f"  {email:<28} {role}")

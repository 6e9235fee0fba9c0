"""Give a helpdesk agent their Andon token (from `andon token create <user>`): the cord on
the ticket page is pulled as that agent."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from andon_helpdesk.models import AndonAgentToken


class Command(BaseCommand):
    help = "Set the Andon token of a helpdesk user."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("token")

    def handle(self, *args, username: str, token: str, **options):
        user = get_user_model().objects.get(username=username)
        AndonAgentToken.objects.update_or_create(user=user, defaults={"token": token})
        self.stdout.write(f"Andon token set for {username}")

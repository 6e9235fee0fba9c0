from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from andon.core.models import ApiToken, hash_token


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, help="What to do.")
        create = sub.add_parser("create", help="Print a new token for USERNAME.")
        create.add_argument("username", help="Whose token: it acts with this user's roles.")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = sub.add_parser("list", help="List tokens (prefixes only).")
        listing.add_argument("username", nargs="?", help="Only this user's tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix", help="The token's first 12 characters (as listed).")

    def handle(self, *args, action, **opts):
        return getattr(self, f"_{action}")(**opts)

    def _create(self, username, name="", **_):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user '{username}'.")
        raw = ApiToken.new_raw()
        ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw), prefix=raw[:12])
        self.stdout.write(raw)

    def _list(self, username=None, **_):
        qs = ApiToken.objects.select_related("user").order_by("created_at")
        if username:
            qs = qs.filter(user__username=username)
        for t in qs:
            state = "revoked" if t.revoked_at else "active"
            self.stdout.write(f"{t.prefix}…  {t.user.username}  {t.name}  {state}")

    def _revoke(self, prefix, **_):
        n = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not n:
            raise CommandError(f"No active token with prefix '{prefix}'.")
        self.stdout.write(f"revoked {n}")

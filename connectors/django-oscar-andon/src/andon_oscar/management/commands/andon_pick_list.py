"""The warehouse's pick list: open order lines, without the ones Andon holds."""

from django.core.management.base import BaseCommand

from andon_oscar.models import AndonHeldLine
from andon_oscar.picking import lines_to_pick


class Command(BaseCommand):
    help = "Print the order lines to pick (Andon's held lines skipped)."

    def handle(self, *args, **options):
        for line in lines_to_pick():
            self.stdout.write(
                f"{line.order.number}\t{line.upc or line.partner_sku}\t{line.quantity}"
            )
        held = AndonHeldLine.objects.count()
        self.stdout.write(f"({held} lines held by Andon not listed)")

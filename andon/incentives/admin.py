from django.contrib import admin

from .models import BonusCredit, BonusPolicy


@admin.register(BonusPolicy)
class BonusPolicyAdmin(admin.ModelAdmin):
    list_display = ["amount_per_valid_pull", "currency"]


@admin.register(BonusCredit)
class BonusCreditAdmin(admin.ModelAdmin):
    # The ledger is written by reviews only; the admin reads it.
    list_display = ["agent", "andon", "amount", "currency", "credited_at"]
    list_filter = ["agent"]
    readonly_fields = ["agent", "andon", "amount", "currency", "credited_at"]

    def has_add_permission(self, request) -> bool:
        return False

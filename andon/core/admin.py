from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only: who did what, when, to which subject (for instance who
    revealed whose phone number: action customer.phone_revealed, subject the customer)."""

    list_display = ("occurred_at", "actor", "action", "subject_type", "subject_id", "andon_id")
    list_filter = ("action", "subject_type")
    search_fields = ("subject_id", "actor__username", "action")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

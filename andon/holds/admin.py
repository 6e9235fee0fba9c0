from django.contrib import admin

from .models import Hold


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("id", "andon", "kind", "quantity", "state", "placed_at", "finalized_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("andon", "stock_level", "order_line")

    # Holds are placed by a pull and finalized at relist, never by hand: held goods are frozen
    # (holds.rules), and so are the holds themselves.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

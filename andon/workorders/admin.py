from django.contrib import admin

from .models import WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "andon", "department", "state", "due_at", "resolved_at", "closed_at")
    list_filter = ("state", "department")
    raw_id_fields = ("andon",)
    # Steps go through the queue and the API, which check roles and the state machine.
    readonly_fields = [f.name for f in WorkOrder._meta.fields]

    def has_add_permission(self, request):
        return False

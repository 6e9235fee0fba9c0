from django.contrib import admin

from .models import ScanRun, Signal, SignalDecision


class SignalDecisionInline(admin.TabularInline):
    model = SignalDecision
    extra = 0
    can_delete = False
    readonly_fields = ("status_from", "status_to", "actor", "reason", "decided_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject_type", "subject", "score", "status", "current", "last_seen")
    list_filter = ("kind", "subject_type", "status", "current")
    search_fields = ("subject",)
    readonly_fields = (
        "kind",
        "subject_type",
        "subject",
        "score",
        "reasons",
        "evidence",
        "status",
        "current",
        "first_seen",
        "last_seen",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    inlines = [SignalDecisionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "found", "trigger")

from django.contrib import admin

from .models import GuideLimit, RecoveryAction, RecoveryGiven


class GuideLimitInline(admin.TabularInline):
    model = GuideLimit
    extra = 0


@admin.register(RecoveryAction)
class RecoveryActionAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "label_zh", "label_en", "default_cost", "position", "active"]
    list_editable = ["position", "active"]
    inlines = [GuideLimitInline]


@admin.register(RecoveryGiven)
class RecoveryGivenAdmin(admin.ModelAdmin):
    list_display = ["given_at", "customer", "action", "cost", "above_guide", "agent"]
    list_filter = ["action", "above_guide"]
    readonly_fields = [f.name for f in RecoveryGiven._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

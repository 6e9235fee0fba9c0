from django.contrib import admin

from .models import Benefit, Launch, Membership, MembershipChange, Milestone, Plan


class BenefitInline(admin.TabularInline):
    model = Benefit
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "price",
        "period",
        "trial_days",
        "recovery_action",
        "active",
        "position",
    ]
    list_editable = ["active", "position"]
    inlines = [BenefitInline]


class ChangeInline(admin.TabularInline):
    model = MembershipChange
    extra = 0
    can_delete = False
    readonly_fields = ["change", "from_state", "to_state", "at", "ends_at", "actor"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: memberships change through the services (history, audit, outbox events)."""

    list_display = ["customer", "plan", "state", "source", "started_at", "ends_at"]
    list_filter = ["state", "source", "plan"]
    search_fields = ["customer__external_id"]
    readonly_fields = [f.name for f in Membership._meta.fields]
    inlines = [ChangeInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 3


@admin.register(Launch)
class LaunchAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "plan", "segment", "starts_on"]
    filter_horizontal = ["owners"]
    inlines = [MilestoneInline]

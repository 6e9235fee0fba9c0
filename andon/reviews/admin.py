from django.contrib import admin

from .models import CorrectiveAction, PullReview, ReviewPolicy


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["sample_rate", "target_rate", "action_due_days"]


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    extra = 0
    raw_id_fields = ["assignee", "owner", "done_by"]


@admin.register(PullReview)
class PullReviewAdmin(admin.ModelAdmin):
    # Reviews feed the KPI and the bonus ledger: change them through the service, read here.
    list_display = [
        "andon",
        "verdict",
        "root_cause",
        "team_lead",
        "agent",
        "reviewer",
        "pulled_at",
        "reviewed_at",
    ]
    list_filter = ["verdict", "root_cause", "team_lead"]
    readonly_fields = [f.name for f in PullReview._meta.fields]
    inlines = [CorrectiveActionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["description", "kind", "assignee", "department", "owner", "due_on", "done_at"]
    list_filter = ["kind", "done_at"]
    raw_id_fields = ["review", "assignee", "owner", "done_by"]

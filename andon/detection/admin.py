"""Read-mostly admin: problems and assignments are written by detection's services (so that
corrections are audited), alerts by the scan; the admin shows them and their evidence."""

from django.contrib import admin

from .models import Assignment, Problem, ProblemAlert


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(ReadOnly):
    list_display = ("id", "product", "label_zh", "label_en", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("label_zh", "label_en", "product__sku", "product__title")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly):
    list_display = (
        "contact",
        "problem",
        "method",
        "score",
        "similarity",
        "matched_contact",
        "pinned",
        "reported_at",
    )
    list_filter = ("method", "pinned")
    exclude = ("vector",)
    search_fields = ("contact__text", "product__sku")


@admin.register(ProblemAlert)
class ProblemAlertAdmin(ReadOnly):
    list_display = (
        "product",
        "state",
        "complainers",
        "units",
        "rate",
        "baseline",
        "p_value",
        "gmv_at_stake",
        "raised_at",
    )
    list_filter = ("state",)

from django.contrib import admin

from .models import Contact, ReasonCode, ReasonRoute


class ReasonRouteInline(admin.StackedInline):
    model = ReasonRoute
    extra = 0


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "label_zh",
        "label_en",
        "threshold",
        "window_days",
        "safety_critical",
        "active",
    )
    list_filter = ("safety_critical", "active")
    search_fields = ("code", "label_zh", "label_en")
    inlines = [ReasonRouteInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "customer", "product", "reason", "agent", "channel")
    list_filter = ("reason", "channel")
    search_fields = ("customer__external_id", "customer__name", "product__sku", "text")
    raw_id_fields = ("customer", "order_line", "product", "agent")
    date_hierarchy = "created_at"

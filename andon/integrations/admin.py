"""The console's view of integrations: endpoints (rotate the secret, pause), deliveries by
state (replay), and each delivery's attempts."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Delivery, DeliveryAttempt, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("id", "url", "event_types", "active", "created_at",
                    "previous_secret_expires_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("secret", "previous_secret_expires_at", "created_at", "created_by")
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.endpoint_create(
                url=obj.url, event_types=obj.event_types or [], description=obj.description,
                actor=request.user,
            )
            obj.pk, obj.secret, obj.created_at = created.pk, created.secret, created.created_at
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Rotate the signing secret (the old one signs for 24 h)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            rotated = services.endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(request, f"{rotated.url}: {rotated.secret}", messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "status_code", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "endpoint", "event", "state", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at")
    list_filter = ("state", "endpoint")
    list_select_related = ("endpoint", "event")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Replay (send again now, same webhook-id)"))
    def replay(self, request, queryset):
        for delivery in queryset:
            services.delivery_replay(delivery=delivery)
        self.message_user(request, _("%d deliveries queued again.") % queryset.count())

"""The console's view of integrations: endpoints (URL checked like the API, rotate the secret,
pause and resume), deliveries by state, endpoint and event type (replay), and each delivery's
attempts."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .addresses import url_address_problem, url_shape_problem
from .conf import allow_private_networks
from .models import Delivery, DeliveryAttempt, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    # A scheme is required (checked below), so the assumed one never applies.
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_types", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = url_shape_problem(url)
        if problem is None and not allow_private_networks():
            problem = url_address_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = (
        "id",
        "url",
        "event_types",
        "active",
        "created_at",
        "previous_secret_expires_at",
    )
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("secret", "previous_secret_expires_at", "created_at", "created_by")
    actions = ["rotate_secret", "pause", "resume"]

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.endpoint_create(
                url=obj.url,
                event_types=obj.event_types or [],
                description=obj.description,
                actor=request.user,
            )
            obj.pk, obj.secret, obj.created_at = created.pk, created.secret, created.created_at
            return
        services.endpoint_update(
            endpoint=obj,
            url=obj.url,
            event_types=obj.event_types or [],
            description=obj.description,
            active=obj.active,
        )

    @admin.action(description=_("Rotate the signing secret (the old one signs for 24 h)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            rotated = services.endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(request, f"{rotated.url}: {rotated.secret}", messages.SUCCESS)

    @admin.action(description=_("Pause (events are not sent until resumed)"))
    def pause(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_update(endpoint=endpoint, active=False)

    @admin.action(description=_("Resume"))
    def resume(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_update(endpoint=endpoint, active=True)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "status_code", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "endpoint",
        "event",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "endpoint", "event__event_type")
    list_select_related = ("endpoint", "event")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Replay (send again now, same webhook-id)"))
    def replay(self, request, queryset):
        for delivery in queryset:
            services.delivery_replay(delivery=delivery)
        n = queryset.count()
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", n)
            % {"n": n},
        )

"""The console's view of integrations: endpoints (URL checked like the API, rotate the secret,
pause and resume), deliveries by state, endpoint and event type (replay), and each delivery's
attempts."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from andon.catalog.locks import listings_lock
from andon.catalog.models import StockLevel
from andon.holds.errors import LineOnHold, StockOnHold
from andon.holds.rules import LineFacts, StockFacts
from andon.holds.selectors import held_line_ids
from andon.holds.services import line_writes_refused, stock_writes_refused
from andon.membership.day_marks import orders_mark_stale
from andon.orders.models import Order, OrderLine

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
            actor=request.user,
            endpoint=obj,
            url=obj.url,
            event_types=obj.event_types or [],
            description=obj.description,
            active=obj.active,
        )

    @admin.action(description=_("Rotate the signing secret (the old one signs for 24 h)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            rotated = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
            self.message_user(request, f"{rotated.url}: {rotated.secret}", messages.SUCCESS)

    @admin.action(description=_("Pause (events are not sent until resumed)"))
    def pause(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_update(actor=request.user, endpoint=endpoint, active=False)

    @admin.action(description=_("Resume"))
    def resume(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_update(actor=request.user, endpoint=endpoint, active=True)


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
            services.delivery_replay(actor=request.user, delivery=delivery)
        n = queryset.count()
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", n)
            % {"n": n},
        )


# --- Storefront data edited by hand: the same rule as the syncs ----------------------------
# Held goods are frozen (holds.rules): the admin refuses a change to held stock or a held
# order line with a validation error naming the hold, under the listing's lock, and holds
# what it saves while the product is stopped (like a sync). Registered here, not in catalog
# or orders, because those domains sit below holds and pulls.


class StockLevelForm(forms.ModelForm):
    class Meta:
        model = StockLevel
        fields = ["product", "warehouse", "batch", "quantity"]

    def clean(self):
        data = super().clean() or self.cleaned_data
        if self.instance.pk and not self.errors:
            listings_lock(product_ids=[self.instance.product_id])
            current = StockLevel.objects.select_for_update().get(pk=self.instance.pk)
            new = StockFacts(
                quantity=data["quantity"],
                warehouse_id=data["warehouse"].pk,
                batch_id=data["batch"].pk,
            )
            if stock_writes_refused(writes={0: (current, new)}):
                raise forms.ValidationError(
                    StockOnHold.of(
                        sku=current.product.sku,
                        warehouse=current.warehouse.code,
                        batch=current.batch.code,
                        field="quantity",
                    ).detail,
                    code=StockOnHold.code,
                )
        return data


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    form = StockLevelForm
    list_display = ("product", "warehouse", "batch", "quantity")
    list_filter = ("warehouse",)
    search_fields = ("product__sku",)
    list_select_related = ("product", "warehouse", "batch")
    raw_id_fields = ("product", "batch")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from andon.pulls.services import holds_catch_up  # lazy: keeps numpy out of start-up

        holds_catch_up(product_ids=[obj.product_id], actor_id=request.user.pk)


class OrderLineForm(forms.ModelForm):
    class Meta:
        model = OrderLine
        fields = [
            "line_no",
            "product",
            "batch",
            "warehouse",
            "quantity",
            "unit_price",
            "fulfilment_status",
        ]

    def clean(self):
        data = super().clean() or self.cleaned_data
        if self.instance.pk and not self.errors and data.get("product"):
            listings_lock(product_ids=[self.instance.product_id, data["product"].pk])
            current = OrderLine.objects.select_for_update().get(pk=self.instance.pk)
            new = LineFacts(
                status=data["fulfilment_status"],
                quantity=data["quantity"],
                product_id=data["product"].pk,
                batch_id=data["batch"].pk if data.get("batch") else None,
            )
            if line_writes_refused(writes={0: (current, new)}):
                raise forms.ValidationError(
                    LineOnHold.of(
                        order=current.order.external_id, line_no=current.line_no, field="status"
                    ).detail,
                    code=LineOnHold.code,
                )
        return data


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    form = OrderLineForm
    extra = 0
    raw_id_fields = ("product", "batch")
    readonly_fields = ("on_hold", "status_changed_at")

    @admin.display(boolean=True, description=_("on hold"))
    def on_hold(self, obj: OrderLine) -> bool:
        return bool(obj.pk) and obj.pk in held_line_ids(order_line_ids=[obj.pk])


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "customer", "placed_at", "channel")
    search_fields = ("external_id", "customer__name", "customer__external_id")
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline]

    # The member figures' day summaries (membership/days.py) of the days an order is placed
    # on, before and after an edit of it or its lines (saved in the same transaction).
    def save_model(self, request, obj, form, change):
        was = [form.initial.get("external_id", obj.external_id)] if change else []
        orders_mark_stale(external_ids=was, placed=[obj.placed_at])
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        orders_mark_stale(external_ids=[obj.external_id], placed=[])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        orders_mark_stale(external_ids=queryset.values_list("external_id", flat=True), placed=[])
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        # status_changed_at moves only when the status does, as in the syncs.
        for line_form in formset.forms:
            if "fulfilment_status" in line_form.changed_data:
                line_form.instance.status_changed_at = timezone.now()
        super().save_formset(request, form, formset, change)
        products = {ln.product_id for ln in form.instance.lines.all()}
        from andon.pulls.services import holds_catch_up  # lazy: keeps numpy out of start-up

        holds_catch_up(product_ids=products, actor_id=request.user.pk)


# The hosted-helpdesk connections register their own admin.
from .inbound import admin as _inbound_admin  # noqa: E402, F401

from django.contrib import admin

from .models import Customer, Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product", "batch")
    readonly_fields = ("on_hold",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "phone", "email", "city", "registered_at")
    search_fields = ("external_id", "name", "phone", "email", "address", "device_id")
    list_filter = ("city",)
    readonly_fields = ("address_key",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "customer", "placed_at", "channel")
    search_fields = ("external_id", "customer__name", "customer__external_id")
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline]

from django.contrib import admin

from .models import Batch, Product, Warehouse


class BatchInline(admin.TabularInline):
    model = Batch
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "title", "price", "listing_status", "listing_changed_at")
    list_filter = ("listing_status",)
    search_fields = ("sku", "title")
    # The listing status belongs to the cord: changing it by hand would bypass the relist gate.
    readonly_fields = ("listing_status", "listing_changed_at")
    inlines = [BatchInline]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


# StockLevel is edited in integrations.admin: held stock is frozen there (holds.rules).

from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "phone", "email", "city", "registered_at")
    search_fields = ("external_id", "name", "phone", "email", "address", "device_id")
    list_filter = ("city",)
    readonly_fields = ("address_key",)


# Orders and their lines are edited in integrations.admin: a held line is frozen there
# (holds.rules), and a line packed while its product is stopped is held at once.

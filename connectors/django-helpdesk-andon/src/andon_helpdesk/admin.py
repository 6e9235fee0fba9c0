from django.contrib import admin

from .models import AndonAgentToken, AndonTicket


@admin.register(AndonTicket)
class AndonTicketAdmin(admin.ModelAdmin):
    list_display = (
        "ticket",
        "order",
        "line_no",
        "sku",
        "reason",
        "contact_id",
        "andon_id",
        "error",
    )
    search_fields = ("order", "sku")


@admin.register(AndonAgentToken)
class AndonAgentTokenAdmin(admin.ModelAdmin):
    list_display = ("user",)

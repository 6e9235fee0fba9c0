from django.contrib import admin

from .models import FigureTarget, SilentCordAlarm


@admin.register(FigureTarget)
class FigureTargetAdmin(admin.ModelAdmin):
    list_display = ["key", "value"]


@admin.register(SilentCordAlarm)
class SilentCordAlarmAdmin(admin.ModelAdmin):
    list_display = ["team", "period", "period_start", "pulls", "expected", "contacts", "p_value"]
    list_filter = ["period", "team"]

    def has_change_permission(self, request, obj=None):  # written by the check, never edited
        return False

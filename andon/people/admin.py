from django.contrib import admin

from .models import Department, Profile, Team


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")
    filter_horizontal = ("members",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "lead")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "team")
    list_filter = ("team",)
    search_fields = ("user__username", "display_name")

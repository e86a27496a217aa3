from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]  # set on UserAdmin; the stubs say Optional
        ("Work", {"fields": ("site", "department", "job_title", "phone")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "site", "department", "is_active")
    list_filter = ("groups", "site__town", "site", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "department", "phone")
    list_select_related = ("site",)

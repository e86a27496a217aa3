"""Admin: articles are read and corrected here; their words change through the services (a version each)."""

from django.contrib import admin

from common.admin_inlines import LabelledTabularInline

from . import services
from .models import Article, ArticleVersion, Deflection, SearchRecord


class VersionInline(LabelledTabularInline):
    model = ArticleVersion
    fields = ("number", "title", "changed_by", "changed_at", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "title",
        "status",
        "audience",
        "author",
        "review_date",
        "views",
        "helpful_yes",
        "helpful_no",
    )
    list_filter = ("status", "audience")
    search_fields = ("title",)
    fields = (
        "title",
        "body",
        "audience",
        "services",
        "categories",
        "review_date",
        "status",
        "author",
        "reviewer",
        "published_at",
    )
    readonly_fields = ("status", "author", "reviewer", "published_at")
    filter_horizontal = ("services", "categories")
    inlines = [VersionInline]
    list_select_related = ("author",)

    @admin.display(description="reference", ordering="pk")
    def reference(self, obj):
        return obj.reference

    def save_model(self, request, obj, form, change):
        """Through the services: the body is rendered safe and a version is kept."""
        data = form.cleaned_data
        if change:
            saved = services.article_update(
                article=obj,
                by=request.user,
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                review_date=data.get("review_date"),
                note="edited in admin",
            )
        else:
            saved = services.article_create(
                by=request.user,
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                review_date=data.get("review_date"),
                note="written in admin",
            )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ("at", "article", "user", "typed")
    list_select_related = ("article", "user")
    readonly_fields = ("at", "article", "user", "typed", "service")

    def has_add_permission(self, request):
        return False


@admin.register(SearchRecord)
class SearchRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "words", "results", "user")
    list_filter = ("results",)
    readonly_fields = ("at", "words", "results", "user")

    def has_add_permission(self, request):
        return False

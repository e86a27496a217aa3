"""/api/articles/: the same scope (knowledge.selectors.visible_articles) and services as the pages.

Staff see only published articles for staff: any other is a 404, by list, retrieve, feedback or suggest.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import Service, ServiceCategory
from common.pagination import CountedPagePagination, IdsFirstPagination

from . import selectors, services
from .models import Article, ArticleStatus, Audience
from .rendering import plain_snippet


class ArticleSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.all(), required=False)
    categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ServiceCategory.objects.all(), required=False
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            *(
                "id",
                "reference",
                "title",
                "body",
                "body_html",
                "services",
                "categories",
                "audience",
                "status",
            ),
            *("review_date", "helpful_yes", "helpful_no", "views", "version", "updated_at", "url"),
        ]
        read_only_fields = [
            "body_html",
            "status",
            "helpful_yes",
            "helpful_no",
            "views",
            "version",
            "updated_at",
        ]
        extra_kwargs = {"body": {"write_only": False}}

    def get_url(self, article: Article) -> str:
        return reverse("knowledge:article", args=[article.reference])


class ArticleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50_000)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.STAFF)
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.all(), required=False)
    categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ServiceCategory.objects.all(), required=False
    )
    review_date = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(
        required=False, help_text="The version you read (409 when it changed)."
    )


class FeedbackSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()


class ArticleTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ArticleStatus.choices)


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField()


@extend_schema(
    parameters=[
        OpenApiParameter("search", str, description="Words, ranked (title matches first; typos forgiven)."),
        OpenApiParameter("service", int),
        OpenApiParameter("status", str, enum=ArticleStatus.values),
    ]
)
class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ArticleSerializer
    pagination_class = IdsFirstPagination

    @property
    def paginator(self):
        """A search's page is read with its count in one query (CountedPagePagination); the plain list
        ids first, deep pages from the nearer end (IdsFirstPagination)."""
        if not hasattr(self, "_paginator"):
            searching = self.action == "list" and self.request.query_params.get("search", "").strip()
            self._paginator = CountedPagePagination() if searching else IdsFirstPagination()
        return self._paginator

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return selectors.visible_articles(user).prefetch_related("services", "categories")
        params = self.request.query_params
        q = params.get("search", "").replace("\x00", "")[:100]
        status_ = params.get("status", "")
        service = params.get("service", "")
        found = selectors.article_list(
            user,
            q=q,
            status=status_ if status_ in ArticleStatus.values else "",
            service_id=int(service) if service.isdigit() else None,
        ).prefetch_related("services", "categories")
        # The vectors are the search's, never the answer's (a body's is the size of the body again).
        found = found.defer("search_vector", "title_vector")
        return found if q.strip() else found.order_by("-updated_at", "-pk")

    def list(self, request, *args, **kwargs):
        answer = super().list(request, *args, **kwargs)
        q = request.query_params.get("search", "").strip()
        if q and not request.query_params.get("page"):
            services.search_record(words=q[:100], results=answer.data.get("count", 0), user=request.user)
        return answer

    def _write_values(self, partial: bool = False) -> dict:
        incoming = ArticleWriteSerializer(data=self.request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        return dict(incoming.validated_data)

    @extend_schema(request=ArticleWriteSerializer)
    def create(self, request, *args, **kwargs):
        values = self._write_values()
        values.pop("version", None)
        article = services.article_create(by=request.user, **values)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ArticleWriteSerializer)
    def update(self, request, *args, **kwargs):
        article = self.get_object()
        values = self._write_values(partial=kwargs.get("partial", False))
        article = services.article_update(
            article=article,
            by=request.user,
            title=values.get("title", article.title),
            body=values.get("body", article.body),
            audience=values.get("audience"),
            services=values.get("services"),
            categories=values.get("categories"),
            review_date=values.get("review_date", False),
            expected_version=values.get("version"),
        )
        return Response(ArticleSerializer(article).data)

    @extend_schema(request=ArticleTransitionSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        article = self.get_object()
        incoming = ArticleTransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        article = services.article_change_status(
            article=article, by=request.user, to=incoming.validated_data["to"]
        )
        return Response(ArticleSerializer(article).data)

    @extend_schema(request=FeedbackSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        article = self.get_object()
        incoming = FeedbackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        article = services.article_feedback(
            article=article, user=request.user, helpful=incoming.validated_data["helpful"]
        )
        return Response({"helpful_yes": article.helpful_yes, "helpful_no": article.helpful_no})

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("service", int)],
        responses=SuggestionSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggest(self, request):
        q = request.query_params.get("q", "").replace("\x00", "")[:100]
        service = request.query_params.get("service", "")
        found = selectors.suggestions(request.user, q, service_id=int(service) if service.isdigit() else None)
        rows = [
            {
                "id": a.pk,
                "reference": a.reference,
                "title": a.title,
                "snippet": plain_snippet(a.body),
                "url": reverse("knowledge:article", args=[a.reference]),
            }
            for a in found
        ]
        return Response(SuggestionSerializer(rows, many=True).data)

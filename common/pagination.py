"""Pages of a sorted list read from whichever end is nearer.

OFFSET makes PostgreSQL read and throw away every row before the page: the queue's last page of 19,400
open tickets read 19,400 index entries for 11 ids. The pages past the middle are read with the order
reversed instead (a backward scan of the same index, which stops after the page), and turned round in
Python: the same rows in the same order, at the cost of the first pages (docs/performance.md).

And a page is read ids first: the page's ids from the sorting index (one table, planned in under a
millisecond), then those rows with their joins by primary key. Sorting and limiting the joined rows made
PostgreSQL plan six tables against every index of the tickets (6-8 ms for the API's 50 tickets) and, deep
in the list, join every row before the page (the API's last page of 100,000 tickets: 570 ms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Model, QuerySet, Window
from rest_framework.pagination import PageNumberPagination

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    _PaginatorBase = Paginator[Any]  # generic in the stubs only
else:
    _PaginatorBase = Paginator


class NearerEndPaginator(_PaginatorBase):
    """A Paginator over an ordered QuerySet whose ordering is total (ends with the primary key), so the
    reversed order is exactly the forward order turned round."""

    def page(self, number: int | str) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        from_end = self.count - top
        if from_end >= bottom or not _totally_ordered(self.object_list):
            return super().page(number)
        ordered = cast("QuerySet[Any]", self.object_list)  # _totally_ordered() holds of QuerySets only
        rows = list(ordered.reverse()[from_end : self.count - bottom])
        rows.reverse()
        page: Page[Any] = self._get_page(rows, number, self)  # type: ignore[attr-defined]  # hook not in stubs
        return page


def _totally_ordered(rows: object) -> bool:
    """The QuerySet's own order_by() ends with the primary key: no two rows tie, so reversing the order
    turns the list exactly round (a model's default ordering is not trusted to)."""
    order_by: tuple[str, ...] = getattr(getattr(rows, "query", None), "order_by", ())
    return bool(order_by) and order_by[-1] in ("pk", "-pk", "id", "-id")


def fill_page(page: Page[Any], rows: QuerySet[Model]) -> Page[Any]:
    """The page of ids turned into the rows they name, in the page's order. `rows` (a QuerySet with its
    joins) is read by primary key and unsorted: its plan is for 25 or 50 keys, not for the whole table."""
    ids = list(page.object_list)
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()} if ids else {}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


class IdsFirstPagination(PageNumberPagination):
    """DRF's page-number pages (the same parameters, count and links), each read ids first, deep pages
    from the nearer end."""

    django_paginator_class = NearerEndPaginator

    def paginate_queryset(
        self, queryset: Any, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        if not isinstance(queryset, QuerySet):  # a list already read (a conversation): paged as it is
            return super().paginate_queryset(queryset, request, view)
        ids = queryset.prefetch_related(None).values_list("pk", flat=True)
        # the call sets self.page whenever it returns a page
        if super().paginate_queryset(ids, request, view) is None or self.page is None:
            return None
        return list(fill_page(self.page, queryset).object_list)


class CountedPagePaginator(_PaginatorBase):
    """A Paginator over a QuerySet whose page query also counts every row (`COUNT(*) OVER ()`): one query
    for the page and the total instead of a count and then the page. For a ranked search the count cost
    what the page cost (the matching rows are read and ranked either way): the help page's searches at
    10,000 articles (docs/performance.md, "Knowledge search"). A page past the end is the only one read
    twice (the count alone tells which page is last)."""

    def page(self, number: int | str) -> Page[Any]:
        number = self._number(number)
        bottom = (number - 1) * self.per_page
        rows = list(
            cast("QuerySet[Any]", self.object_list).annotate(rows_counted=Window(Count("pk")))[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.count = rows[0].rows_counted  # fills Paginator's cached count
        elif number == 1:
            self.count = 0
        else:
            return super().page(number)  # past the end: the count says how far
        page: Page[Any] = self._get_page(rows, number, self)  # type: ignore[attr-defined]  # hook not in stubs
        return page

    def get_page(self, number: Any) -> Page[Any]:
        """As Django's: a page that is not a number is the first, one past the end the last."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def _number(self, number: object) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            whole = int(cast("Any", number))
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if whole < 1:
            raise EmptyPage("That page number is less than 1")
        return whole


class CountedPagePagination(PageNumberPagination):
    """DRF's page-number pages, each read with its count in one query (CountedPagePaginator): for the
    ranked searches, whose rows are one table."""

    django_paginator_class = CountedPagePaginator

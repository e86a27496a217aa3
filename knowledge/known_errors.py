"""A known error's workaround for staff, published as a help article linked to its problem (issue 17, 19).

knowledge sits above problems in the house, so it reads problems and registers on its hook
(problems/problem_extensions.py); problems never imports knowledge. The rules:

- Only the problem's **workaround for staff** (`workaround_public`) is published, for staff, on the
  problem's service, with the problem's summary as the title; the desk's own workaround, the root cause
  and the problem's reference stay on the problem. One step on the problem page, by the desk
  (`known_error_publish`), for an open known error with a workaround for staff.
- While the article is published, each change of the problem's summary, service or workaround for staff
  updates it as a new version (`known_error_follow`, on problems.problem_extensions.problem_changed, in the
  same transaction); emptying the workaround for staff, or resolving or closing the problem, retires it (a
  fixed fault needs no workaround). A retired article is published again only by the desk's step.
- It is an ordinary article besides: the log form suggests it to staff, the help page finds it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from common import access
from incidents.ticket_extensions import Panel
from problems import problem_extensions
from problems.models import Problem
from problems.problem_extensions import problem_changed

from . import services
from .models import Article, ArticleStatus, Audience
from .selectors import is_desk

PANEL = "knowledge/includes/problem_panel.html"


def workaround_article(problem: Problem) -> Article | None:
    """The article published from the problem, if any (one query; the content type is cached)."""
    return Article.objects.filter(
        source_type=ContentType.objects.get_for_model(Problem), source_id=problem.pk
    ).first()


def publishable(problem: Problem) -> bool:
    """An open known error with a workaround for staff."""
    return problem.known_error and bool(problem.workaround_public.strip())


def article_words(problem: Problem) -> dict:
    """What staff read: the summary and the workaround for staff, in plain words; nothing else of the
    problem (the desk's workaround, the root cause, its reference)."""
    body = "\n\n".join(
        [
            "The ICT service desk knows about this fault and is working on a permanent fix.",
            "## What you can do until it is fixed",
            problem.workaround_public.strip(),
            "If this does not help, log a ticket and say that you tried it.",
        ]
    )
    return {"title": problem.summary, "body": body, "services": [problem.service]}


STALE = "The problem changed since you opened it: nothing was published. Look at it again and retry."


@transaction.atomic
def known_error_publish(*, problem: Problem, by, expected_version: int | None = None) -> Article:
    """The desk's one step: publish (or publish again, as a new version) the known error's workaround for
    staff as a staff article linked to the problem. The problem's row is locked, so two clicks make one
    article; a page older than the problem publishes nothing."""
    if not (access.may(by, "problem.work") and is_desk(by)):
        raise PermissionDenied("Only the ICT service desk publishes a known error's workaround.")
    problem = Problem.objects.select_for_update().select_related("service").get(pk=problem.pk)
    if expected_version is not None and problem.version != expected_version:
        raise ValidationError({"version": STALE})
    if not publishable(problem):
        raise ValidationError(
            {
                "workaround_public": "Only an open known error with a workaround for staff is published: "
                "record the workaround for staff first."
            }
        )
    return services.article_publish_from_source(
        source=problem, by=by, audience=Audience.STAFF, **article_words(problem)
    )


def known_error_follow(sender, *, problem: Problem, by, **kwargs) -> None:
    """problems.problem_extensions.problem_changed: keep a published workaround article in step with its
    problem."""
    article = workaround_article(problem)
    if article is None or article.status != ArticleStatus.PUBLISHED:
        return
    if not publishable(problem):
        services.article_change_status(article=article, by=by, to=ArticleStatus.RETIRED)
        return
    words = article_words(problem)
    same_services = set(article.services.values_list("pk", flat=True)) == {s.pk for s in words["services"]}
    if article.title == words["title"] and article.body == words["body"] and same_services:
        return  # nothing staff read changed: no new version
    services.article_publish_from_source(source=problem, by=by, audience=Audience.STAFF, **words)


def problem_panel(user, problem: Problem) -> Panel | None:
    """The problem page's panel (the desk only): publish the workaround for staff, or where it is."""
    if not (access.may(user, "problem.work") and is_desk(user)):
        return None
    article = workaround_article(problem)
    if article is None and not problem.known_error:
        return None
    return Panel(
        PANEL,
        {
            "problem": problem,
            "article": article,
            "publishable": publishable(problem),
            "published": article is not None and article.status == ArticleStatus.PUBLISHED,
        },
    )


def register() -> None:
    """Called once from KnowledgeConfig.ready."""
    problem_extensions.register("knowledge", problem_panel=problem_panel)
    problem_changed.connect(known_error_follow, sender=Problem, dispatch_uid="knowledge.known_error_follow")

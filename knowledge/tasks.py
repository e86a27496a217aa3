from celery import shared_task

from . import services


@shared_task(name="knowledge.review_reminders")
def review_reminders() -> int:
    """Authors of published articles whose review date has passed, each mailed once per review date."""
    return services.article_reviews_remind()

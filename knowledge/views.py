"""Pages: the help page and an article for everyone; writing, reviewing and versions for the desk."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from catalogue.models import Service
from common.access import access_required
from common.pagination import NearerEndPaginator
from incidents.attachments import max_bytes
from problems.models import Problem

from . import known_errors, selectors, services
from .forms import ArticleForm, ArticleImageForm, SearchForm
from .models import Article, ArticleStatus, Audience

PER_PAGE = 20


def _clean_q(request) -> str:
    # PostgreSQL text cannot hold NUL.
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def _article(request, reference: str) -> Article:
    try:
        return selectors.article_for_reader(request.user, reference)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def _service_id(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@access_required
@require_safe
def help_page(request):
    """Search, the most read articles of each service category, and the newest."""
    q = _clean_q(request)
    context: dict = {"form": SearchForm(initial={"q": q}), "q": q, "desk": selectors.is_desk(request.user)}
    if q:
        page = selectors.search_page(request.user, q, number=request.GET.get("page"), per_page=PER_PAGE)
        if page.number == 1:
            services.search_record(words=q, results=page.paginator.count, user=request.user)
        context["page"] = page
    else:
        context.update(selectors.help_page_parts(request.user))
    return render(request, "knowledge/help.html", context)


@access_required
@require_safe
def article_page(request, reference: str):
    article = _article(request, reference)
    desk = selectors.is_desk(request.user)
    if services.article_viewed(article=article, user=request.user):
        article.views += 1  # this reading counts too (the first of the day by this person)
    typed = request.GET.get("typed", "").replace("\x00", "")[:200]
    context = {
        "article": article,
        "desk": desk,
        "answer": article.feedback.filter(user=request.user).values_list("helpful", flat=True).first(),
        # Opened from the log form's suggestions: "this solved it" logs nothing and counts a deflection.
        "from_log": request.GET.get("from") == "log" and article.is_published,
        "typed": typed,
        "service_id": _service_id(request.GET.get("service")),
    }
    if desk:
        context["uses"] = selectors.tickets_used_on(article)
        context["moves"] = sorted(services.TRANSITIONS.get(article.status, ()))
        context["statuses"] = dict(ArticleStatus.choices)
    return render(request, "knowledge/article.html", context)


@access_required
@require_POST
def feedback(request, reference: str):
    article = _article(request, reference)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        messages.error(request, "Choose yes or no.")
    else:
        try:
            services.article_feedback(article=article, user=request.user, helpful=answer == "yes")
            messages.success(request, "Thank you: your answer helps us improve the article.")
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
    return redirect("knowledge:article", article.reference)


@access_required
@require_POST
def deflect(request, reference: str):
    """ "This solved it": no ticket is logged, and the deflection is counted."""
    article = _article(request, reference)
    service = Service.objects.filter(pk=_service_id(request.POST.get("service"))).first()
    try:
        services.deflection_record(
            article=article, user=request.user, typed=request.POST.get("typed", ""), service=service
        )
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return redirect("knowledge:article", article.reference)
    messages.success(request, "Glad that solved it: no ticket was logged. Thank you for telling us.")
    return redirect("knowledge:help")


@access_required
@require_safe
def suggest(request):
    """The log form's fragment: up to three articles matching what the person typed (and their service)."""
    q = _clean_q(request)
    service_id = _service_id(request.GET.get("service"))
    found = selectors.suggestions(request.user, q, service_id=service_id)
    return render(
        request,
        "knowledge/includes/suggestions.html",
        {"suggestions": found, "typed": q, "service_id": service_id},
    )


# --- the desk ---------------------------------------------------------------------------------------------


@access_required
@require_safe
def desk(request):
    """Every article, by status: what to write, review, publish or retire."""
    status = request.GET.get("status", "")
    status = status if status in ArticleStatus.values else ""
    q = _clean_q(request)
    if q:
        page = selectors.search_page(
            request.user, q, number=request.GET.get("page"), per_page=PER_PAGE, status=status
        )
    else:
        articles = (
            selectors.article_list(request.user, status=status)
            if status
            else selectors.visible_articles(request.user).order_by("-updated_at", "-pk")
        )
        page = NearerEndPaginator(articles.only(*selectors.LISTED_FIELDS), PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "knowledge/desk.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": ArticleStatus.choices,
            "form": SearchForm(initial={"q": q}),
        },
    )


def _form_values(form: ArticleForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "audience": data["audience"],
        "services": list(data["services"]),
        "categories": list(data["categories"]),
        "review_date": data["review_date"],
    }


def _errors_onto(form, invalid: ValidationError) -> None:
    for field, errors in (
        invalid.message_dict.items() if hasattr(invalid, "error_dict") else [(None, invalid.messages)]
    ):
        form.add_error(field if field in form.fields else None, errors)


@access_required
def article_new(request):
    form = ArticleForm(request.POST or None, initial={"audience": Audience.STAFF})
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(by=request.user, **_form_values(form))
        except ValidationError as invalid:
            _errors_onto(form, invalid)
        else:
            messages.success(
                request, f"{article.reference} is saved as a draft. Send it for review when it is ready."
            )
            return redirect("knowledge:article", article.reference)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": None},
        status=400 if form.errors else 200,
    )


@access_required
def article_edit(request, reference: str):
    article = _article(request, reference)
    initial = {
        "title": article.title,
        "body": article.body,
        "audience": article.audience,
        "services": list(article.services.all()),
        "categories": list(article.categories.all()),
        "review_date": article.review_date,
        "version": article.version,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(
                article=article,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **_form_values(form),
            )
        except services.ArticleConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as invalid:
            _errors_onto(form, invalid)
        else:
            messages.success(request, f"{article.reference} is saved (version {article.version + 1}).")
            return redirect("knowledge:article", article.reference)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": article},
        status=400 if form.errors else 200,
    )


@access_required
@require_POST
def article_status(request, reference: str):
    article = _article(request, reference)
    to = request.POST.get("to", "")
    try:
        article = services.article_change_status(article=article, by=request.user, to=to)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    else:
        messages.success(request, f"{article.reference} is now {article.get_status_display().lower()}.")
    return redirect("knowledge:article", article.reference)


@access_required
@require_safe
def article_versions(request, reference: str):
    article = _article(request, reference)
    return render(
        request,
        "knowledge/versions.html",
        {"article": article, "versions": selectors.article_versions(article)},
    )


@access_required
@require_safe
def article_version(request, reference: str, number: int):
    article = _article(request, reference)
    version = selectors.article_versions(article).filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    from .rendering import markdown_to_safe_html

    return render(
        request,
        "knowledge/version.html",
        {
            "article": article,
            "version": version,
            "body_html": markdown_to_safe_html(version.body, article_id=article.pk),
        },
    )


@access_required
@require_POST
def article_restore(request, reference: str, number: int):
    article = _article(request, reference)
    try:
        article = services.article_restore(article=article, by=request.user, number=number)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return redirect("knowledge:article_versions", article.reference)
    messages.success(request, f"Version {number} is back, saved as version {article.version}.")
    return redirect("knowledge:article", article.reference)


@access_required
def article_images(request, reference: str):
    """The desk's pictures of an article: upload one (checked as ticket files are), and the Markdown that
    shows each in the body."""
    article = _article(request, reference)
    form = ArticleImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            image = services.article_image_add(
                article=article, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as invalid:
            _errors_onto(form, invalid)
        else:
            messages.success(
                request,
                f"{image.original_name} is kept. Paste {services.article_image_markdown(image)} into the "
                "body where it belongs.",
            )
            return redirect("knowledge:article_images", article.reference)
    images = [(image, services.article_image_markdown(image)) for image in selectors.article_images(article)]
    return render(
        request,
        "knowledge/images.html",
        {"article": article, "form": form, "images": images, "max_mb": max_bytes() // (1024 * 1024)},
        status=400 if form.errors else 200,
    )


@access_required
@require_safe
def article_image(request, reference: str, image: int):
    """A picture of an article, only to whoever may read the article (a staff member asking for a picture
    of a draft or desk-only article gets a 404, as for the article). Shown inline: it was read and
    matched to PNG, JPEG or GIF when it was kept, and the browser may neither sniff nor run it."""
    article = _article(request, reference)
    found = selectors.article_images(article).filter(pk=image).first()
    if found is None:
        raise Http404("No such picture.")
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("The picture is missing from storage.") from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@access_required
@require_POST
def article_from_ticket(request, pk: int):
    """One step: a resolved ticket becomes a draft article, opened for its author to check."""
    from incidents.permissions import visible_tickets

    ticket = (
        visible_tickets(request.user)
        .filter(pk=pk)
        .select_related("requester", "assignee", "logged_by")
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    try:
        article = services.article_from_ticket(ticket=ticket, by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return redirect("ticket_detail", ticket.pk)
    messages.success(
        request,
        f"{article.reference} is a draft from {ticket.reference}: check that no personal details remain, "
        "then send it for review.",
    )
    return redirect("knowledge:article_edit", article.reference)


@access_required
@require_POST
def article_from_problem(request, pk: int):
    """One step on the problem page: the known error's workaround for staff becomes (or updates) a staff
    article linked to the problem (knowledge/known_errors.py)."""
    problem = Problem.objects.filter(pk=pk).first()
    if problem is None:
        raise Http404("No such problem.")
    version = request.POST.get("version", "")
    try:
        article = known_errors.known_error_publish(
            problem=problem, by=request.user, expected_version=int(version) if version.isdigit() else -1
        )
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(
            request,
            f"{article.reference} is published for staff (version {article.version}): they see it among the "
            "suggestions while logging a ticket. Only the workaround for staff is in it.",
        )
    return redirect("problems:problem_detail", pk=problem.pk)

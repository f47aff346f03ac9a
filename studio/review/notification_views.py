"""The bell's pages: every notification of mine, open one (read, then the thing it is
about), mark all read (the actions are `notifications`')."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.lib.outcome import on_page
from studio.review import notifications
from studio.review.models import Notification
from studio.review.notification_forms import EmailChoicesForm
from studio.teams.scoping import current_membership

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    mine = Notification.objects.of(membership).select_related("actor")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/notifications.html", {"page": page})


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """A link under the bell: read now, then to what it is about."""
    membership = current_membership(request)
    notification = get_object_or_404(Notification.objects.of(membership), pk=pk)
    notifications.mark_read(membership, notification)
    return redirect(notification.url)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    return on_page(request, notifications.mark_read(current_membership(request)),
                   "notifications")


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    """Which notifications also go by e-mail: each member's own choice, per team."""
    membership = current_membership(request)
    initial = {"email": request.user.email,
               "kinds": notifications.email_choices(membership)}
    form = EmailChoicesForm(request.POST or None, initial=initial, member=membership)
    if request.method == "POST" and form.is_valid():
        done = notifications.choose_emails(membership, form.cleaned_data["email"],
                                           form.cleaned_data["kinds"])
        return on_page(request, done, "notification_settings")
    return render(request, "review/notification_settings.html", {"form": form},
                  status=400 if form.errors else 200)

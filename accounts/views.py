from django.contrib.auth import logout
from django.shortcuts import render
from django.views.decorators.http import require_POST

from common.access import access_required

from .tokens import credentials_revoke


@require_POST
@access_required
def sign_out_everywhere(request):
    """Sign out of all devices: every page session (this one too) and every API token of the person end."""
    credentials_revoke(user=request.user)
    logout(request)
    return render(request, "registration/logged_out.html", {"everywhere": True})

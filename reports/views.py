from django.shortcuts import render

from servicedesk import roles


@roles.role_required(roles.MANAGER, roles.ADMIN)
def dashboard(request):
    # KPIs arrive with the reports work (issue 6); no figure is shown before there is data behind it.
    return render(request, "reports/dashboard.html")

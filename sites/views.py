from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors
from .filters import SiteFilter


@login_required
def site_list(request):
    site_filter = SiteFilter(request.GET, queryset=selectors.site_list())
    sites = site_filter.qs
    return render(
        request,
        "sites/site_list.html",
        {
            "filter": site_filter,
            "sites": sites,
            "totals": selectors.site_totals(sites),
            "filtered": any(request.GET.get(name) for name in site_filter.form.fields),
        },
    )

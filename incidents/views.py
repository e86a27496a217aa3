from django.shortcuts import render

from servicedesk import roles


@roles.role_required(roles.STAFF)
def my_tickets(request):
    # Ticket logging arrives with the incidents work (issue 4); until then the page says so plainly.
    return render(request, "incidents/my_tickets.html")


@roles.role_required(roles.TECHNICIAN)
def work_queue(request):
    return render(request, "incidents/work_queue.html")

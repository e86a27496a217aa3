"""How many tickets a list page shows (the queue and My tickets)."""

TICKETS_PER_PAGE = 25

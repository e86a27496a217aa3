"""Promises: business calendars, SLAs with targets per priority, SLA clocks and breach timers."""

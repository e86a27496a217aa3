"""The one hook from `slas` to the apps to its right (docs/architecture.md).

`sla_event_recorded` is sent once per warning or breach, after the row is written, inside the sweep's
transaction; receivers queue their work with transaction.on_commit so nothing is sent for a rolled
back sweep. `agreement_changed` is sent when an SLA's targets or calendar change, so the open tickets
under it can be recalculated.
"""

from django.dispatch import Signal

sla_event_recorded = Signal()  # kwargs: event (SlaEvent)
agreement_changed = Signal()  # kwargs: sla_ids (list[int] | None: None means every agreement)

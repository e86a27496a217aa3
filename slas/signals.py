"""The one hook from `slas` to the apps to its right (docs/architecture.md).

`sla_events_recorded` is sent once per sweep batch with the warnings and breaches it recorded, after the
rows are written and inside the batch's transaction, so what receivers write (the mails to send) commits
with the events or not at all; receivers queue slow work with transaction.on_commit. `agreement_changed`
is sent when an SLA's targets or calendar change, so the open tickets under it can be recalculated.
"""

from django.dispatch import Signal

sla_events_recorded = Signal()  # kwargs: events (list[SlaEvent])
agreement_changed = Signal()  # kwargs: sla_ids (list[int] | None: None means every agreement)

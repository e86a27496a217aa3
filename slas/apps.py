from django.apps import AppConfig
from django.db.models import Model
from django.db.models.signals import post_delete, post_save


class SlasConfig(AppConfig):
    name = "slas"
    verbose_name = "Service levels"

    def ready(self) -> None:
        from catalogue.critical_periods import register_working_day_rule

        from . import agreements, calendars, catalogue_targets, models

        catalogue_targets.register()  # the catalogue pages' response and fix times (catalogue.targets)

        # The service desk's working days (catalogue's critical periods ask through its hook).
        register_working_day_rule(calendars.is_working_day)

        # A calendar edit must reach the arithmetic at once in this process (others within a minute); an
        # agreement edit may change which calendar is the desk's (the default SLA's).
        model: type[Model]
        for model in (
            models.BusinessCalendar,
            models.WorkingHours,
            models.ClosedDay,
            models.ServiceLevelAgreement,
        ):
            uid = model.__name__
            post_save.connect(calendars.forget_calendars, sender=model, dispatch_uid=f"forget-{uid}")
            post_delete.connect(calendars.forget_calendars, sender=model, dispatch_uid=f"forget-del-{uid}")
        # ...and the open tickets under the agreements it touches are recalculated in the background.
        for model in (
            models.BusinessCalendar,
            models.WorkingHours,
            models.ClosedDay,
            models.ServiceLevelAgreement,
            models.SlaTarget,
            models.OperationalAgreement,
            models.OperationalTarget,
        ):
            uid = model.__name__
            post_save.connect(agreements.announce_change, sender=model, dispatch_uid=f"announce-{uid}")
            post_delete.connect(agreements.announce_change, sender=model, dispatch_uid=f"announce-del-{uid}")

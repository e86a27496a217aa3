"""factory_boy factories: the one way tests build rows."""

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from common import access as roles
from sites.models import Building, Site, Town

TEST_PASSWORD = "correct-horse-battery-staple"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test site {n}")
    town = Town.DUTYWA
    connection_type = "MPLS"
    computer_users = 5
    buildings = 1
    buildings_connected = 1
    network_points = 8
    network_printers = 1
    telephones = 3
    table_order = factory.Sequence(lambda n: 100 + n)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Block {n}")
    connected = True


class UserFactory(factory.django.DjangoModelFactory):
    """A person; pass role=roles.TECHNICIAN (etc.) to put them in that role's group."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@mbashe.invalid")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


# --- catalogue -----------------------------------------------------------------------------------------
from catalogue.models import (  # noqa: E402
    CriticalPeriod,
    Lifecycle,
    RequestField,
    Service,
    ServiceCategory,
    SupportGroup,
)


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test group {n}")


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test category {n}")
    display_order = 500


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Test service {n}")
    category = factory.SubFactory(ServiceCategoryFactory)
    support_group = factory.SubFactory(SupportGroupFactory)
    description = "A service for tests."
    status = Lifecycle.LIVE
    offers_incidents = True
    offers_requests = False


class RequestFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestField

    service = factory.SubFactory(ServiceFactory, offers_requests=True)
    label = factory.Sequence(lambda n: f"Question {n}")
    key = factory.Sequence(lambda n: f"question_{n}")
    field_type = RequestField.FieldType.TEXT
    required = True


class CriticalPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriticalPeriod

    service = factory.SubFactory(ServiceFactory)
    name = "payroll period"
    rule = CriticalPeriod.Rule.LAST_WORKING_DAYS
    working_days = 3


# --- sites: the asset register ------------------------------------------------------------------------
class AssetFactory(factory.django.DjangoModelFactory):
    """A desktop in use at a new test site; a link needs type="network_link" and a connection_type."""

    class Meta:
        model = "sites.Asset"
        django_get_or_create = ("asset_tag",)

    asset_tag = factory.Sequence(lambda n: f"TST-DSK-{n:05d}")
    type = "desktop"
    make = "HP"
    model = "ProDesk 400 G7"
    serial = factory.Sequence(lambda n: f"CNDTEST{n:05d}")
    site = factory.SubFactory(SiteFactory)
    building = None
    status = "in_use"


# --- incidents -----------------------------------------------------------------------------------------
class TicketFactory(factory.Factory):
    """A ticket logged the way the service desk logs one (services.ticket_log), so its history, group and
    notifications are what the real flow leaves. Pass requester=, service=, site= to choose them."""

    class Meta:
        model = dict  # built by _create below, through the service

    requester = factory.SubFactory(UserFactory, role=roles.STAFF)
    service = factory.SubFactory(ServiceFactory)
    site = factory.LazyFunction(lambda: Site.objects.get(name="Dutywa Main Building"))
    summary = factory.Sequence(lambda n: f"Printer on floor {n} is jammed")
    description = "It shows a paper jam light and will not print."
    impact = "medium"
    urgency = "medium"
    kind = "incident"

    @classmethod
    def _create(cls, model_class, **kwargs):
        from incidents.services import ticket_log

        return ticket_log(**kwargs)

    _build = _create


# --- slas: calendars and agreements -------------------------------------------------------------------
import datetime  # noqa: E402

from slas.models import BusinessCalendar  # noqa: E402


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    """A calendar with no hours (add WorkingHoursFactory rows) or, with always_open=True, a 24x7 one."""

    class Meta:
        model = BusinessCalendar
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test calendar {n}")
    always_open = False
    public_holidays = True


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "slas.WorkingHours"

    calendar = factory.SubFactory(BusinessCalendarFactory)
    weekday = 0
    opens = datetime.time(8, 0)
    closes = datetime.time(16, 30)


class ServiceLevelAgreementFactory(factory.django.DjangoModelFactory):
    """An agreement on the shipped municipal calendar with a target for every priority (so tickets can
    use it); pass targets={priority: (response, resolution)} for others, or targets={} for none."""

    class Meta:
        model = "slas.ServiceLevelAgreement"
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test agreement {n}")
    calendar = factory.LazyFunction(lambda: BusinessCalendar.objects.get(name="Municipal business hours"))
    is_default = False
    review_date = datetime.date(2027, 6, 30)

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if not create:
            return
        targets = {1: (30, 240), 2: (60, 510), 3: (240, 1530), 4: (510, 2550), 5: (1020, 5100)}
        for priority, (response, resolution) in (targets if extracted is None else extracted).items():
            SlaTargetFactory(
                sla=self, priority=priority, response_minutes=response, resolution_minutes=resolution
            )


class SlaTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "slas.SlaTarget"

    sla = factory.SubFactory(ServiceLevelAgreementFactory, targets={})
    priority = 1
    response_minutes = 30
    resolution_minutes = 240


class SlaServiceFactory(factory.django.DjangoModelFactory):
    """Names a service in an agreement."""

    class Meta:
        model = "slas.SlaService"

    service = factory.SubFactory(ServiceFactory)
    sla = factory.SubFactory(ServiceLevelAgreementFactory)


def deliver_outbox() -> int:
    """Send every unsent mail of the outbox now, as the queued tasks would after commit (the test's
    transaction never commits); returns how many were sent."""
    from common.models import Notification
    from common.outbox import notification_deliver

    unsent = Notification.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    return sum(bool(notification_deliver(notification_id=pk)) for pk in list(unsent))


# --- changes -------------------------------------------------------------------------------------------
from changes.models import Change, ChangeStatus, ChangeType, Outcome  # noqa: E402


class ChangeFactory(factory.django.DjangoModelFactory):
    """A change row as it stands at some point of its life (status=..., outcome=...); tests of the
    lifecycle walk it through changes.services instead. Pass services=[...], sites=[...], assets=[...]."""

    class Meta:
        model = Change
        skip_postgeneration_save = True

    type = ChangeType.NORMAL
    status = ChangeStatus.DRAFT
    summary = factory.Sequence(lambda n: f"Replace the core switch at site {n}")
    reason = "The switch drops links under load."
    implementation_plan = "Swap the switch, restore the saved configuration."
    backout_plan = "Put the old switch back."
    test_plan = "Ping every access switch; open the intranet from two PCs."
    requested_by = factory.SubFactory(UserFactory, role=roles.TECHNICIAN)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)

    @factory.post_generation
    def assets(self, create, extracted, **kwargs):
        if create and extracted:
            self.assets.set(extracted)


def implemented_change_for(service, status: str = "live"):
    """The change a service's move to `status` needs (changes.service_transition): implemented, successful,
    naming the service."""
    return ChangeFactory(
        status=ChangeStatus.IMPLEMENTED,
        outcome=Outcome.SUCCESSFUL,
        service_transition=status,
        services=[service],
    )


# --- problems ------------------------------------------------------------------------------------------
class ProblemFactory(factory.Factory):
    """A problem logged the way the desk logs one (problems.services.problem_log). Pass by= (a technician),
    service=, tickets=[...] to choose them."""

    class Meta:
        model = dict  # built by _create below, through the service

    by = factory.SubFactory(UserFactory, role=roles.TECHNICIAN)
    service = factory.SubFactory(ServiceFactory)
    summary = factory.Sequence(lambda n: f"Printer queue stalls after a power dip ({n})")
    description = "The queue stops after every power dip; a restart of the spooler clears it."

    @classmethod
    def _create(cls, model_class, **kwargs):
        from problems.services import problem_log

        return problem_log(**kwargs)

    _build = _create

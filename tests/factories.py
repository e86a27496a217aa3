"""factory_boy factories: the one way tests build rows."""

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from servicedesk import roles
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

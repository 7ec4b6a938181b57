"""factory_boy factories shared by every test module."""

import factory
from django.contrib.auth import get_user_model

from blocs.models import (
    Bloc,
    ChairTerm,
    Membership,
    Official,
    Organization,
    SecretaryAssignment,
    current_year,
)

PASSWORD = "correct-horse-battery"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn"
    last_name = factory.Sequence(lambda n: f"Nguyễn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Hội Liên hiệp Phụ nữ số {n}")
    short_name = factory.Sequence(lambda n: f"Hội LHPN {n}")
    abbreviation = factory.Sequence(lambda n: f"HLHPN{n}")
    kind = Organization.Kind.WOMEN


class BlocFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bloc

    name = factory.Sequence(lambda n: f"Khối thi đua số {n}")
    kind = Bloc.Kind.KHOI
    locality = "Hải Phòng"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    bloc = factory.SubFactory(BlocFactory)
    organization = factory.SubFactory(OrganizationFactory)
    first_year = 2019
    rotation_order = factory.Sequence(lambda n: n + 1)


class ChairTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChairTerm

    bloc = factory.SubFactory(BlocFactory)
    year = 2020
    chair = factory.SubFactory(OrganizationFactory)
    deputy = None
    method = ChairTerm.Method.ROTATION


class SecretaryAssignmentFactory(factory.django.DjangoModelFactory):
    """Assigned to the bloc's secretariat for this year only, unless told otherwise."""

    class Meta:
        model = SecretaryAssignment

    bloc = factory.SubFactory(BlocFactory)
    user = factory.SubFactory("tests.factories.UserFactory")
    first_year = factory.LazyFunction(current_year)
    last_year = factory.LazyAttribute(lambda o: o.first_year)


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    position = "Chuyên viên"


# --- pledges ----------------------------------------------------------------------------------


class EmulationTitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pledges.EmulationTitle"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"title-{n}")
    name = factory.Sequence(lambda n: f"Bằng khen số {n}")
    kind = "commendation"
    level = "province"


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pledges.Pledge"

    bloc = factory.SubFactory(BlocFactory)
    year = 2020
    title = factory.LazyAttribute(lambda o: f"Giao ước thi đua năm {o.year}")


class PledgeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pledges.PledgeItem"

    pledge = factory.SubFactory(PledgeFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Nội dung thi đua số {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pledges.Criterion"

    pledge = factory.SubFactory(PledgeFactory)
    parent = None
    order = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"C{n}")
    text = factory.Sequence(lambda n: f"Tiêu chí số {n}")
    max_points = 10

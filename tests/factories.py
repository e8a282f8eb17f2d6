"""Factories for the test world. Municipalities come from the data migration (Statbel)."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.manual_2025 import CALL_2025
from applications.models import Call
from cot_portal.accounts.models import Membership, Organisation, StaffRole, User

PASSWORD = "Correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.be")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=StaffRole(role).value)[0])
        if set(extracted or []) & {StaffRole.CALL_MANAGER, StaffRole.FINANCE_OFFICER}:
            self.is_staff = True  # the back office; jury members work in the portal only
        self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kennisinstelling {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    type = "knowledge"


def municipality(nis_code: str) -> Organisation:
    """A real Flemish municipality as loaded by the data migration."""
    return Organisation.objects.get(nis_code=nis_code)


def member_of(organisation: Organisation, role: str = "admin", **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def call_2025(**overrides) -> Call:
    return Call.objects.create(**{**CALL_2025, **overrides})


def open_call(**overrides) -> Call:
    now = timezone.now()
    values = {
        **CALL_2025,
        "year": 2030,
        "title": "Oproep City of Things 2030",
        "idea_phase_opens": now - timedelta(days=10),
        "idea_deadline": now + timedelta(days=10),
        "application_deadline": now + timedelta(days=60),
        "decision_date_estimated": (now + timedelta(days=120)).date(),
    }
    values.update(overrides)
    return Call.objects.create(**values)


class IdeaFactory(factory.django.DjangoModelFactory):
    """A complete idea. Pass status=IdeaStatus.SUBMITTED (with submitted_at) for a submitted one."""

    class Meta:
        model = "applications.Idea"

    call = factory.LazyFunction(lambda: Call.objects.order_by("-year").first() or open_call())
    organisation = factory.LazyFunction(lambda: municipality("44021"))
    created_by = factory.SubFactory(UserFactory)
    reference = factory.Sequence(lambda n: f"IDEE-T-{n:04d}")
    title = factory.Sequence(lambda n: f"Slimme parkeersensoren {n}")
    challenge = "Zoekverkeer in de binnenstad veroorzaakt files en uitstoot."
    solution = "Sensordata en een open API tonen vrije plaatsen in real time."
    capacity_building = "Twee data-analisten van de stad werken mee en borgen de kennis."
    policy_alignment = "Past in het bestuursakkoord en het Vlaamse mobiliteitsbeleid."
    support_rollout = "Vijf gemeenten volgen; een raamcontract laat anderen later aankopen."
    openness = "OSLO-vocabularia, open standaarden en open data."
    work_packages = "WP1 analyse, WP2 aanbesteding, WP3 uitrol, WP4 kennisdeling."
    budget_total = factory.LazyFunction(lambda: __import__("decimal").Decimal("1200000.00"))
    budget_notes = "Personeel, externe diensten en sensoren."
    themes = factory.LazyFunction(lambda: ["mobility", "environment"])


def idea_partner(idea, organisation, role="deelnemer"):
    from applications.models import IdeaPartner

    return IdeaPartner.objects.create(idea=idea, organisation=organisation, role=role)

"""Writes for accounts: local governments from Statbel's register, and the second factor."""

from django.db import transaction
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from .local_governments import flemish_municipalities
from .models import Organisation, OrganisationType

VGC = {"name": "Vlaamse Gemeenschapscommissie", "slug": "vgc", "type": OrganisationType.VGC}


@transaction.atomic
def sync_local_governments(organisation_model=Organisation) -> tuple[int, int]:
    """Create or update every Flemish municipality and the VGC; returns (created, updated).

    The data migration passes its historical model; everyone else uses the default.
    """
    existing = {o.nis_code: o for o in organisation_model.objects.exclude(nis_code="")}
    slugs = set(organisation_model.objects.values_list("slug", flat=True))
    created = updated = 0
    for record in flemish_municipalities():
        org = existing.get(record["nis_code"])
        if org is None:
            slug = _unique_slug(record["name"], slugs)
            slugs.add(slug)
            organisation_model.objects.create(
                type=OrganisationType.MUNICIPALITY, slug=slug, **record
            )
            created += 1
        elif (org.name, org.postal_codes, org.province_code) != (
            record["name"],
            record["postal_codes"],
            record["province_code"],
        ):
            org.name = record["name"]
            org.postal_codes = record["postal_codes"]
            org.province_code = record["province_code"]
            org.save()
            updated += 1
    _, vgc_created = organisation_model.objects.get_or_create(slug=VGC["slug"], defaults=VGC)
    return created + int(vgc_created), updated


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:70] or "organisatie"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def pending_totp_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def confirm_totp_device(device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()

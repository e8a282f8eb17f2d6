"""Users, organisations and who belongs to which organisation."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import validate_enterprise_number, validate_iban, validate_nis_code


class StaffRole(models.TextChoices):
    """Staff roles are Django groups with these names."""

    CALL_MANAGER = "call_manager", _("Call manager")
    JURY_MEMBER = "jury_member", _("Jury member")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")


SECOND_FACTOR_ROLES = {StaffRole.CALL_MANAGER, StaffRole.FINANCE_OFFICER}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who logs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def has_staff_role(self, role: str) -> bool:
        return role in self.staff_roles

    @property
    def staff_roles(self) -> list[str]:
        """The staff roles of this user, read once per request (cached on the object)."""
        if "_staff_roles" not in self.__dict__:
            self._staff_roles = [
                name
                for name in self.groups.values_list("name", flat=True)
                if name in StaffRole.values
            ]
        return self._staff_roles

    @property
    def needs_second_factor(self) -> bool:
        return bool(set(self.staff_roles) & {r.value for r in SECOND_FACTOR_ROLES})


class OrganisationType(models.TextChoices):
    """Organisation types of SPEC.md §1 (R-IDEA-1, R-ROLE)."""

    MUNICIPALITY = "municipality", _("City or municipality")
    VGC = "vgc", _("Vlaamse Gemeenschapscommissie (VGC)")
    INTERCOMMUNALE = "intercommunale", _("Intercommunale")
    KNOWLEDGE_INSTITUTION = "knowledge", _("Knowledge institution")
    FLEMISH_ENTITY = "flemish_entity", _("Entity of the Flemish government")
    VVSG_KCVS = "vvsg_kcvs", _("VVSG or KCVS")
    COMPANY = "company", _("Company")
    FUNDER = "funder", _("VLAIO")


LOCAL_GOVERNMENT_TYPES = {OrganisationType.MUNICIPALITY, OrganisationType.VGC}
PARTNER_TYPES = {
    OrganisationType.MUNICIPALITY,
    OrganisationType.VGC,
    OrganisationType.INTERCOMMUNALE,
    OrganisationType.KNOWLEDGE_INSTITUTION,
    OrganisationType.FLEMISH_ENTITY,
    OrganisationType.VVSG_KCVS,
}


class Organisation(models.Model):
    """A city or municipality, the VGC, a partner organisation, a company, or VLAIO itself."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    nis_code = models.CharField(
        _("NIS code"),
        max_length=5,
        blank=True,
        validators=[validate_nis_code],
        help_text=_("The five-digit REFNIS code of Statbel, for cities and municipalities."),
    )
    postal_codes = models.CharField(_("postal codes"), max_length=200, blank=True)
    province_code = models.CharField(_("province (NIS)"), max_length=5, blank=True)
    enterprise_number = models.CharField(
        _("enterprise number (KBO)"),
        max_length=12,
        blank=True,
        validators=[validate_enterprise_number],
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    email = models.EmailField(_("general e-mail address"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nis_code"],
                condition=~Q(nis_code=""),
                name="organisation_unique_nis_code",
            ),
            models.CheckConstraint(
                condition=Q(type="municipality", nis_code__regex=r"^\d{5}$")
                | ~Q(type="municipality"),
                name="municipality_has_nis_code",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from .validators import normalise_enterprise_number, normalise_iban

        if self.enterprise_number:
            self.enterprise_number = normalise_enterprise_number(self.enterprise_number)
        if self.iban:
            self.iban = normalise_iban(self.iban)
        if self.type == OrganisationType.MUNICIPALITY and not self.nis_code:
            from django.core.exceptions import ValidationError

            raise ValidationError({"nis_code": _("A city or municipality needs its NIS code.")})

    @property
    def is_local_government(self) -> bool:
        return self.type in LOCAL_GOVERNMENT_TYPES


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Manages the organisation's dossiers")
    CONTRIBUTOR = "contributor", _("Contributes to dossiers")
    READER = "reader", _("Reads dossiers")


class Membership(models.Model):
    """A person acting for an organisation, with a role."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.CONTRIBUTOR
    )
    created = models.DateTimeField(_("since"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

"""Hostile input to every form of the portal (issue 11, hardening: bad input).

One declared table, `FORMS`: a row per form a person can send, with the address, who sends it,
the form as the view builds it (its fields, prefix and choices are read from it: a field added
later is fuzzed without a change here), fixed values (the `action` of a page with several
forms, a target) and, where needed, what must hold before (a sheet in draft, a fresh juror).
Hypothesis draws, for every field, a valid value, a hostile one of its kind or of any kind
(10,000+ characters, NUL, ESC, U+202E, lone surrogates, HTML and <script>, negative, huge and
unreadable amounts, impossible dates, choices that do not exist) or leaves it out, and posts.

For every post:

1. nothing answers a server error (the test client raises on an exception; nothing is caught);
2. a refused post says why in Dutch: every error message on the page (beside a field, above the
   form, in the messages of the page a refusal redirects to, in an htmx status line) contains
   Dutch wording of the nl catalogue and no English wording of it;
3. a refused post changes no stored data: a fingerprint of every table of the portal's apps
   (history tables included) is the same before and after. Autosaving forms keep every valid
   field by design ("forms never lose work"); their rows send one field at a time, so a refusal
   is again a post that must change nothing;
4. no page shows posted text unescaped: no response (the refused form shown again, the page a
   post redirects to, the page that shows the stored text) contains a raw `<script>` or an
   event-handler tag from the input, and where a row names the fields a page shows, accepted
   text with `<script>` appears there escaped.

`test_every_form_class_has_a_row` enumerates the form classes of the portal's apps and fails
for one without a row (or without a reason in `NOT_HERE`).

The world is tests/integration/test_url_matrix.py's (built once per module through the real
services, rolled back at the end); each row runs in the test's transaction and each example in
its own savepoint, rolled back, so every example starts from the same world.
"""

import functools
import html
import inspect
import os
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from urllib.parse import quote_plus

import pytest
from django import forms as django_forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from applications.forms.admissibility import CompletionForm, CriterionForm
from applications.forms.application import (
    LIST_FORMS,
    AttachmentForm,
    PartnerAddForm,
    PartnerEditForm,
    section_form_class,
)
from applications.forms.budget import CostLineForm, financing_form_class
from applications.forms.cocreation import AttendanceForm, RegistrationForm, SessionForm
from applications.forms.ideas import IdeaForm, NewIdeaForm, PartnerForm
from applications.models import ApplicationSection
from applications.selectors_ideas import partner_candidates
from applications.services.application import SECTION_FIELDS
from applications.services.budget import max_project_year
from applications.services.ideas import organisations_for_idea_creation
from cot_portal.accounts.forms import LoginForm, TokenForm
from cot_portal.accounts.models import Organisation
from payments import (
    forms_costs,
    forms_finance,
    forms_grant,
    forms_settlement,
    register_forms,
    selectors_costs,
    selectors_settlement,
)
from payments.models import ReportKind
from scoring import forms as scoring_forms
from scoring import forms_applications, forms_questions, forms_ranking, services_ranking
from scoring.models import ApplicationConflict, ApplicationScoreSheet, JuryAssignment, JuryMember
from scoring.selectors_ranking import call_ranking
from tests.factories_scoring import declare, submitted_idea
from tests.factories_scoring import juror as new_juror
from tests.factories_world import PDF, module_world
from tests.integration.test_url_matrix import _build_world

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1337)</script>"
ESCAPED_SCRIPT = html.escape(SCRIPT, quote=False)
RAW_MARKERS = ("<script>alert(1337)", "<img src=x onerror=alert(1337)", "<svg onload=alert(1337)")
MISSING = object()  # the field is left out of the post
# `make test` draws a few examples per form (new ones each run); HOSTILE_INPUT_FACTOR=10 makes a
# longer hunt (about 20 minutes on two cores).
EXAMPLES_FACTOR = int(os.environ.get("HOSTILE_INPUT_FACTOR", "1"))
APPS = ("accounts", "core", "letters", "applications", "scoring", "payments")


# --- The values ----------------------------------------------------------------------------------

LONG = ("A" * 10_001, "lang woord " * 1_200, "\u0fd5" * 5_000, "é" * 20_000)
CONTROL = (
    "nul\x00teken",
    "\x00",
    "\x1b[31mrood\x1b[0m",
    "\u202eevil\u202c.pdf",
    "\ud800 eenzaam surrogaat",
    "\udfff",
    "\x7f\x08\x0c\x1f",
    "\ufeff\u200b\u2028",
)
MARKUP = (
    SCRIPT,
    f"Titel {SCRIPT} einde",
    '"><svg onload=alert(1337)>',
    "<img src=x onerror=alert(1337)>",
    "{{ request.user }} {% now 'Y' %}",
    "%(name)s %s {0} %d",
    "' OR 1=1; DROP TABLE applications_application; --",
)
BLANK = ("", "   ", "\t\n\r ")
TEXT = LONG + CONTROL + MARKUP + BLANK
AMOUNT = (
    "-1",
    "-0,01",
    "1e30",
    "1E+30",
    "1.2.3",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "9" * 40,
    "1 000 000 000 000 000,00",
    "€ -5",
    "12,345,67",
    "0x10",
    "1_000",
    "\u0661\u0662\u0663",
    "0,001",
    "--5",
    ",",
    "€",
    "1e-30",
)
DATE = (
    "31/02/2025",
    "2025-13-01",
    "yesterday",
    "gisteren",
    "00/00/0000",
    "29/02/2023",
    "32/01/2025",
    "31/12/9999",
    "01/01/0001",
    "1/1/1",
    "99999999",
    "2025-02-30",
    "10000-01-01",
    "12/31/2025",
    "-1",
)
DATETIME = DATE + (
    "2025-11-14T25:61",
    "2025-02-30T10:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "14/11/2025 24:00",
)
INT = ("-1", "0", "1.5", "abc", "9" * 30, "NaN", "1e3", "+-1", "2147483648", "-9223372036854775809")
CHOICE = ("bogus", "-1", "0", "9" * 25, "NaN", "Infinity", SCRIPT, "COORDINATOR", "1.0", " 1")
BOOL = ("on", "", "false", "0", "maybe", "\x00")
EMAIL = (
    "geen-adres",
    "a@b",
    "x" * 300 + "@gemeente.be",
    "naam@gemeente.be\x00",
    f"{SCRIPT}@gent.be",
    "naam@@gemeente.be",
)
POINTS = ("-1", "10,25", "11", "100", "NaN", "Infinity", "1e30", "7,7", "1.2.3", "\u0663")
URL = (
    "javascript:alert(1)",
    "http://",
    "ftp://x",
    "https://" + "a" * 300 + ".be",
    "https://x.be/<b>",
)

HOSTILE = {
    "text": TEXT,
    "amount": AMOUNT,
    "date": DATE,
    "datetime": DATETIME,
    "int": INT,
    "choice": CHOICE,
    "multi": CHOICE,
    "bool": BOOL,
    "email": EMAIL,
    "points": POINTS,
    "url": URL,
}
VALID_TEXT = ("Gewone tekst van de stad.", f"Tekst met <b>opmaak</b> & {SCRIPT} einde")
VALID = {
    "text": VALID_TEXT,
    "amount": ("1.000,00", "0", "12500.50"),
    "date": ("01/03/2031", "14/11/2025"),
    "datetime": ("2031-03-01T10:00",),
    "int": ("1", "3"),
    "bool": ("on",),
    "email": ("naam@gemeente.be",),
    "points": ("5", "7,5"),
    "url": ("https://gent.be/sessie",),
}


def kind_of(form_field) -> str:
    """The kind of value a form field takes, for the values drawn."""
    from scoring.forms import PointsField

    checks = (
        (django_forms.FileField, "file"),
        (django_forms.BooleanField, "bool"),
        (django_forms.ModelMultipleChoiceField, "multi"),
        (django_forms.MultipleChoiceField, "multi"),
        (django_forms.ChoiceField, "choice"),
        (django_forms.ModelChoiceField, "choice"),
        (django_forms.DateTimeField, "datetime"),
        (django_forms.DateField, "date"),
        (django_forms.DecimalField, "amount"),
        (PointsField, "points"),
        (django_forms.IntegerField, "int"),
        (django_forms.EmailField, "email"),
        (django_forms.URLField, "url"),
    )
    for cls, kind in checks:
        if isinstance(form_field, cls):
            return kind
    return "text"


def valid_values(form, name, kind) -> tuple:
    form_field = form.fields[name]
    if kind in ("choice", "multi"):
        values = [str(getattr(v, "value", v)) for v, _label in form_field.choices]
        values = [v for v in values if v not in ("", "None")][:4]
        return tuple(values) or ("1",)
    initial = form[name].value()
    own = () if initial in (None, "", []) else (str(initial),)
    return own + VALID.get(kind, VALID_TEXT)


def value_strategy(kind, valid):
    """A field's value: valid, hostile of its kind, hostile of another kind, random, or left out."""
    anything = st.text(st.characters(exclude_categories=()), max_size=40)
    options = [
        st.just(MISSING),
        st.sampled_from(valid),
        st.sampled_from(HOSTILE[kind] if kind in HOSTILE else TEXT),
        st.sampled_from(TEXT + AMOUNT + DATE),
        anything,
    ]
    if kind == "multi":
        return st.one_of(
            st.just(MISSING), st.lists(st.sampled_from(valid + CHOICE), min_size=1, max_size=3)
        )
    return st.one_of(*options)


# --- Reading a page ------------------------------------------------------------------------------

ERROR_CLASSES = {"invalid-feedback", "errorlist", "alert-danger"}
STATUS_LINE_CLASSES = ERROR_CLASSES | {"text-danger"}  # the htmx status lines


class _Errors(HTMLParser):
    """The texts of a page's error messages: each `li` of an error container, or the whole
    container when it has no list."""

    def __init__(self, classes=ERROR_CLASSES):
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.stack = []  # per open tag: is it an error container?
        self.depth = 0  # open error containers
        self.chunks = []
        self.messages = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "img", "hr", "meta", "link"):
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        container = bool(classes & self.classes) or (
            attributes.get("role") == "alert" and "text-danger" in classes
        )
        self.stack.append(container)
        if container:
            if self.depth == 0:
                self.chunks = [[]]
            self.depth += 1
        elif tag == "li" and self.depth:
            self.chunks.append([])

    def handle_endtag(self, tag):
        if tag in ("br", "input", "img", "hr", "meta", "link") or not self.stack:
            return
        if self.stack.pop():
            self.depth -= 1
            if self.depth == 0:
                for chunk in self.chunks:
                    text = " ".join("".join(chunk).split())
                    if text:
                        self.messages.append(text)

    def handle_data(self, data):
        if self.depth:
            self.chunks[-1].append(data)


def error_messages(content: bytes, htmx=False) -> list[str]:
    parser = _Errors(STATUS_LINE_CLASSES if htmx else ERROR_CLASSES)
    parser.feed(content.decode("utf-8", "replace"))
    parser.close()
    return parser.messages


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _segments(text, minimum):
    return {s.strip() for s in PLACEHOLDER.split(text) if len(s.strip()) >= minimum}


def _project_msgids():
    """Every msgid of the project's catalogue, translated or not."""
    po = Path(django_settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    ids, current, active = [], [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, active = [line[6:]], True
        elif line.startswith("msgid_plural ") or line.startswith("msgstr"):
            if active:
                ids.append("".join(eval(part) for part in current))  # noqa: S307 (po strings)
            active = False
        elif active and line.startswith('"'):
            current.append(line)
    return ids


@functools.cache
def wording():
    """(English wording, Dutch wording): literal stretches of the nl catalogue's msgids and of
    its translations (Django's own and the project's), placeholders left out."""
    english, dutch = set(), set()
    for key, value in trans_real.translation("nl")._catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or msgid == value:
            continue
        english |= {s for s in _segments(msgid, 14) if " " in s}
        dutch |= _segments(value, 8)
    english |= {s for m in _project_msgids() for s in _segments(m, 14) if " " in s}
    return frozenset(english - dutch), frozenset(dutch)


def assert_dutch(message: str, where: str, posted=()):
    """`posted`: the values sent; a message may quote one (Django's "… is geen beschikbare
    keuze" names the refused choice), which is the user's text, not the portal's English. So
    the values are left out when looking for English, and kept when looking for Dutch: cutting
    a short value such as "0" out of "bv. 1.250.000,00" would cut the Dutch example apart."""
    english, dutch = wording()
    portal_words = message
    for value in posted:
        if isinstance(value, str) and value:
            portal_words = portal_words.replace(html.escape(value), "").replace(value, "")
    found = [s for s in english if s in portal_words]
    assert not found, f"{where}: English in an error message: {message!r} ({found[0]!r})"
    assert any(s in message for s in dutch), f"{where}: not Dutch: {message!r}"


def assert_escaped(content: bytes, where: str):
    text = content.decode("utf-8", "replace")
    for marker in RAW_MARKERS:
        assert marker not in text, f"{where}: unescaped input in the page: {marker!r}"


# --- The stored state ----------------------------------------------------------------------------


@functools.cache
def _fingerprint_sql() -> str:
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in APPS and not m._meta.proxy and m._meta.managed
    )
    parts = [
        "(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
        f"FROM {connection.ops.quote_name(table)} t)"  # our own table names, quoted
        for table in tables
    ]
    return tables, "SELECT " + ", ".join(parts)


def fingerprint() -> dict:
    """Every row of every table of the portal's apps (history included), as one hash a table."""
    tables, sql = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# --- The table -----------------------------------------------------------------------------------


def _ticked(form_class, values: dict, prefix: str) -> bool:
    """Whether the accepted post ticked the box (as the view read it: a left-out field is no)."""
    form = form_class({k: v for k, v in values.items() if v is not MISSING}, prefix=prefix)
    return form.is_valid() and form.cleaned_data["doubtful"]


@dataclass(frozen=True)
class Row:
    url: object  # (w, p) -> the address the form posts to
    user: object  # a role of the world, (w, p) -> a user, or None for an anonymous visitor
    form: object  # (w, p) -> the form as the view builds it (unbound): its fields and prefix
    extra: object = None  # (w, p) -> values posted as they are (action, target, version)
    prepare: object = None  # (w) -> p: what must hold before, in the test's transaction
    partial: bool = False  # saves every valid field of a post: one field per post
    htmx: bool = False
    page: object = None  # (w, p) -> the page the form is on (default: a GET of `url`)
    shows: object = None  # (w, p) -> the page that shows the stored text (default: `page`)
    shown: tuple = ()  # fields whose accepted text `shows` must show (escaped)
    shown_when: object = None  # (posted values) -> whether the accepted text is kept to show
    files: object = None  # (w, p) -> valid files (uploads are checked elsewhere)
    skip: tuple = ()  # fields not fuzzed (sent valid)
    method: str = "post"
    examples: int = 8
    not_found: bool = False  # a posted target that does not exist answers 404 (by design)
    fields: dict = field(default_factory=dict)  # name -> (kind, valid values): no form class


def _none(w, p):
    return {}


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _app_url(name, application="draft", **kwargs):
    def url(w, p):
        obj = getattr(w, application)
        values = {k: v(w, p) if callable(v) else v for k, v in kwargs.items()}
        return reverse(name, kwargs={"year": obj.call.year, "slug": obj.slug, **values})

    return url


def _section_page(section):
    return _app_url("applications:application_section", section=section)


def _ref(name, obj):
    return lambda w, p: reverse(name, args=[getattr(w, obj).reference])


def _call_url(name):
    return lambda w, p: reverse(name, args=[w.call.year])


def _version(section, application="draft"):
    def extra(w, p):
        getattr(w, application).refresh_from_db()
        return {"version": str(getattr(w, application).section_version(section))}

    return extra


def _org(w, role):
    return w.users[role].memberships.first().organisation


# Preparations: run once per row in the test's transaction, before the examples.


def _fresh_idea(w):
    """A submitted idea of the open call, scored by nobody yet (the jury's idea forms)."""
    idea = submitted_idea(call=w.call, organisation=_org(w, "gent"), created_by=w.users["gent"])
    return {"idea": idea}


def _declared_idea(w):
    """A fresh submitted idea, the juror declared no conflict: the score form is open."""
    prepared = _fresh_idea(w)
    declare(prepared["idea"], w.users["juror"])
    return prepared


def _fresh_juror(w):
    """A juror of the open call, assigned Gent's application, not declared yet."""
    user = new_juror(first_name="Nieuwe", last_name="Jurylid")
    member = JuryMember.objects.create(call=w.call, user=user, added_by=w.users["manager"])
    JuryAssignment.objects.create(application=w.application, juror=member)
    return {"user": user}


def _draft_sheet(w):
    """The juror's sheet of Gent's application back in draft: the score form is open."""
    ApplicationScoreSheet.objects.filter(application=w.application, juror=w.users["juror"]).update(
        status="draft", submitted_at=None
    )
    assert ApplicationConflict.objects.filter(
        application=w.application, juror=w.users["juror"], has_conflict=False
    ).exists()
    return {}


def _frozen_advice(w):
    """The open call's advice frozen: the Government's decision can be recorded."""
    with _quick_pdfs():
        services_ranking.freeze_advice(call=w.call, manager=w.users["manager"])
    return {}


def _work_packages(w):
    return list(w.application.work_packages.all())


def _ranked(w):
    return sorted(
        (line.summary.application for line in call_ranking(w.call).lines),
        key=lambda a: a.reference,
    )


def _grant_partners(w):
    return selectors_costs.grant_partners(w.grant)


def _question(w, p):
    return w.application.jury_questions.order_by("pk").first()


def _section_rows() -> dict:
    rows = {}
    for section in SECTION_FIELDS:
        if section == ApplicationSection.BUDGET:
            continue
        page = _section_page(section)
        form = functools.partial(
            lambda s, w, p: section_form_class(s)(instance=w.draft, section=s), section
        )
        rows[f"application_section[{section}]"] = Row(
            page,
            "gent",
            form,
            extra=_version(section),
            partial=True,
            skip=("version",),
            shown=("title",) if section == ApplicationSection.PROJECT else (),
        )
        rows[f"application_autosave[{section}]"] = Row(
            _app_url("applications:application_autosave", section=section),
            "gent",
            form,
            extra=_version(section),
            partial=True,
            htmx=True,
            page=lambda w, p: None,
            shows=page,
            skip=("version",),
            examples=8,
        )
    return rows


def _list_rows() -> dict:
    rows = {}
    for section, form_class in LIST_FORMS.items():
        kwargs = (
            (lambda w: {"application": w.draft})
            if section == ApplicationSection.WORK_PACKAGES
            else (lambda w: {})
        )
        rows[f"application_add_item[{section}]"] = Row(
            _app_url("applications:application_add_item", section=section),
            "gent",
            functools.partial(lambda c, k, w, p: c(**k(w)), form_class, kwargs),
            extra=_version(section),
            page=_section_page(section),
            shown=("title",)
            if section == ApplicationSection.WORK_PACKAGES
            else ("name",)
            if section in (ApplicationSection.GROUPS, ApplicationSection.THEMES_KPIS)
            else (),
        )
    return rows


FORMS = {
    # --- Accounts -------------------------------------------------------------------------------
    "accounts:login": Row(
        lambda w, p: reverse("accounts:login"), None, lambda w, p: LoginForm(request=None)
    ),
    "accounts:second_factor": Row(
        lambda w, p: reverse("accounts:second_factor"), "manager", lambda w, p: TokenForm()
    ),
    "accounts:password_reset": Row(
        lambda w, p: reverse("accounts:password_reset"), None, lambda w, p: PasswordResetForm()
    ),
    # --- Ideas and co-creation (R-IDEA-1, R-COCREATE) ---------------------------------------------
    "applications:new_idea": Row(
        _call_url("applications:new_idea"),
        "gent",
        lambda w, p: NewIdeaForm(organisations=organisations_for_idea_creation(w.users["gent"])),
        shown=("title",),
    ),
    "applications:idea": Row(
        _ref("applications:idea", "idea_draft"),
        "gent",
        lambda w, p: IdeaForm(instance=w.idea_draft),
        extra=lambda w, p: {
            "version": str(type(w.idea_draft).objects.get(pk=w.idea_draft.pk).version)
        },
        partial=True,
        skip=("version",),
        shown=("title", "challenge"),
    ),
    "applications:idea_autosave": Row(
        _ref("applications:idea_autosave", "idea_draft"),
        "gent",
        lambda w, p: IdeaForm(instance=w.idea_draft),
        extra=lambda w, p: {
            "version": str(type(w.idea_draft).objects.get(pk=w.idea_draft.pk).version)
        },
        partial=True,
        htmx=True,
        page=lambda w, p: None,
        shows=_ref("applications:idea", "idea_draft"),
        skip=("version",),
        examples=8,
    ),
    "applications:idea_add_partner": Row(
        _ref("applications:idea_add_partner", "idea_draft"),
        "gent",
        lambda w, p: PartnerForm(organisations=partner_candidates(w.idea_draft)),
        page=_ref("applications:idea", "idea_draft"),
    ),
    "applications:session_create": Row(
        _call_url("applications:session_create"),
        "manager",
        lambda w, p: SessionForm(),
        shown=("title",),
    ),
    "applications:session_edit": Row(
        lambda w, p: reverse("applications:session_edit", args=[w.call.year, w.session.pk]),
        "manager",
        lambda w, p: SessionForm(instance=w.session, registered=w.session.registrations.count()),
    ),
    "applications:session_register": Row(
        lambda w, p: reverse("applications:session_register", args=[w.call.year, w.session.pk]),
        "partner",
        lambda w, p: RegistrationForm(
            organisations=Organisation.objects.filter(memberships__user=w.users["partner"])
        ),
        page=lambda w, p: reverse("applications:session_detail", args=[w.call.year, w.session.pk]),
    ),
    "applications:session_attendance": Row(
        lambda w, p: reverse("applications:session_attendance", args=[w.call.year, w.session.pk]),
        "manager",
        lambda w, p: AttendanceForm(organisations=Organisation.objects.all()),
        shown=("person_name",),
    ),
    # --- The application, section by section (R-APP, R-BUDGET) ------------------------------------
    **_section_rows(),
    **_list_rows(),
    "application_add_item[partners]": Row(
        _app_url("applications:application_add_item", section="partners"),
        "gent",
        lambda w, p: PartnerAddForm(organisations=partner_candidates(w.draft)),
        extra=_version("partners"),
        page=_section_page("partners"),
    ),
    "applications:application_partner": Row(
        _app_url("applications:application_partner", pk=lambda w, p: w.draft_partner.pk),
        "partner",
        lambda w, p: PartnerEditForm(instance=w.draft_partner, prefix=f"p{w.draft_partner.pk}"),
        extra=_version("partners"),
        page=_section_page("partners"),
        shown=("contact_name",),
    ),
    "applications:application_upload": Row(
        _app_url("applications:application_upload", section="attachments"),
        "gent",
        lambda w, p: AttachmentForm(),
        extra=_version("attachments"),
        files=lambda w, p: {"file": _pdf("bijlage.pdf")},
        page=_section_page("attachments"),
        shown=("title",),
    ),
    "applications:application_budget": Row(
        _app_url("applications:application_budget"),
        "gent",
        lambda w, p: financing_form_class()(instance=w.draft, section="budget"),
        extra=_version("budget"),
        partial=True,
        skip=("version",),
    ),
    "applications:application_budget_check": Row(
        _app_url("applications:application_budget_check"),
        "gent",
        lambda w, p: financing_form_class()(instance=w.draft, section="budget"),
        htmx=True,
        page=lambda w, p: None,
        skip=("version",),
        examples=8,
    ),
    "applications:application_budget_line_add": Row(
        _app_url("applications:application_budget_line_add"),
        "partner",
        lambda w, p: CostLineForm(
            partners=[w.draft_partner], max_year=max_project_year(w.draft.duration_months)
        ),
        page=_app_url("applications:application_budget"),
        shown=("description",),
    ),
    "applications:application_budget_line_edit": Row(
        _app_url("applications:application_budget_line_edit", pk=lambda w, p: w.lead_line.pk),
        "gent",
        lambda w, p: CostLineForm(
            initial=CostLineForm.initial_for(w.lead_line),
            partners=list(w.draft.partners.all()),
            max_year=max_project_year(w.draft.duration_months),
            current_year=w.lead_line.year,
        ),
        extra=_version("budget"),
        shows=_app_url("applications:application_budget"),
        shown=("description",),
    ),
    # --- Admissibility (R-ADM, R-ADM-COMPLETE) ----------------------------------------------------
    "applications:admissibility_confirm": Row(
        _app_url("applications:admissibility_confirm", "application", pk=lambda w, p: w.check.pk),
        "manager",
        lambda w, p: CriterionForm(prefix=f"c{w.check.pk}"),
        page=_app_url("applications:admissibility", "application"),
    ),
    "applications:admissibility_completion": Row(
        _app_url("applications:admissibility_completion", "application"),
        "manager",
        lambda w, p: CompletionForm(),
        page=_app_url("applications:admissibility", "application"),
    ),
    # --- The jury on ideas (R-JURY, R-SL) ---------------------------------------------------------
    "scoring:idea_declare": Row(
        lambda w, p: reverse("scoring:idea_declare", args=[p["idea"].reference]),
        "juror",
        lambda w, p: scoring_forms.ConflictDeclarationForm(),
        prepare=_fresh_idea,
    ),
    "scoring:idea_detail": Row(
        lambda w, p: reverse("scoring:idea_detail", args=[p["idea"].reference]),
        "juror",
        lambda w, p: scoring_forms.IdeaScoreForm(call=w.call),
        extra=lambda w, p: {"action": "save"},
        prepare=_declared_idea,
        shown=("feedback_1",),
    ),
    "scoring:idea_assessment": Row(
        lambda w, p: reverse("scoring:idea_assessment", args=[p["idea"].reference]),
        "manager",
        lambda w, p: scoring_forms.AssessmentForm(call=w.call),
        prepare=_fresh_idea,
        shown=("general_feedback",),
    ),
    "scoring:shortlist_publish": Row(
        _call_url("scoring:shortlist_publish"),
        "manager",
        lambda w, p: scoring_forms.PublishShortlistForm(),
        page=_call_url("scoring:shortlist"),
        examples=6,
    ),
    # --- The jury on applications (R-JURY, R-SCORE, R-JURY-Q) -------------------------------------
    "scoring:jury_compose[add]": Row(
        _call_url("scoring:jury_compose"),
        "manager",
        lambda w, p: forms_applications.AddJuryMemberForm(prefix="add"),
        extra=lambda w, p: {"action": "add"},
    ),
    "scoring:jury_compose[assign]": Row(
        _call_url("scoring:jury_compose"),
        "manager",
        lambda w, p: forms_applications.AssignForm(
            prefix="assign",
            members=list(JuryMember.objects.filter(call=w.call)),
            applications=[w.application],
        ),
        extra=lambda w, p: {"action": "assign"},
    ),
    "scoring:jury_application_declare": Row(
        _ref("scoring:jury_application_declare", "application"),
        lambda w, p: p["user"],
        lambda w, p: scoring_forms.ConflictDeclarationForm(about_application=True),
        prepare=_fresh_juror,
    ),
    "scoring:jury_application_detail": Row(
        _ref("scoring:jury_application_detail", "application"),
        "juror",
        lambda w, p: forms_applications.ApplicationScoreForm(call=w.call),
        extra=lambda w, p: {"action": "save"},
        prepare=_draft_sheet,
        shown=("motivation_A1",),
    ),
    "scoring:jury_questions": Row(
        _ref("scoring:jury_questions", "application"),
        "juror",
        lambda w, p: forms_questions.AskQuestionForm(),
        shown=("question",),
    ),
    "scoring_applicant:questions": Row(
        _app_url("scoring_applicant:questions", "application"),
        "gent",
        lambda w, p: forms_questions.AnswerForm(prefix=f"q{_question(w, p).pk}", number=1),
        extra=lambda w, p: {"question": str(_question(w, p).pk)},
        shown=("answer",),
    ),
    # --- Consensus, ranking, decision (R-SCORE, R-DOUBT, R-CUT, R-EXTRA) --------------------------
    "scoring:consensus[consensus]": Row(
        _ref("scoring:consensus", "application"),
        "manager",
        not_found=True,
        form=lambda w, p: forms_ranking.ConsensusForm(
            prefix="consensus",
            maxima=__import__("scoring.services_applications").services_applications.call_maxima(
                w.call
            ),
            step=w.call.score_step,
        ),
        extra=lambda w, p: {"action": "consensus"},
        shown=("motivation",),
    ),
    "scoring:consensus[doubt]": Row(
        _ref("scoring:consensus", "application"),
        "manager",
        lambda w, p: forms_ranking.DoubtForm(prefix="doubt"),
        extra=lambda w, p: {"action": "doubt"},
        shown=("motivation",),
        # R-DOUBT: lifting the flag clears the motivation (the history keeps the old one).
        shown_when=lambda values: _ticked(forms_ranking.DoubtForm, values, "doubt"),
    ),
    "scoring:consensus[cut]": Row(
        _ref("scoring:consensus", "application"),
        "manager",
        lambda w, p: forms_ranking.CutForm(prefix="cut", work_packages=_work_packages(w)),
        extra=lambda w, p: {"action": "cut"},
    ),
    "scoring:consensus[conditions]": Row(
        _ref("scoring:consensus", "application"),
        "manager",
        lambda w, p: forms_ranking.ConditionsForm(prefix="conditions"),
        extra=lambda w, p: {"action": "conditions"},
        shown=("conditions",),
    ),
    "scoring:ranking[adjust]": Row(
        _call_url("scoring:ranking"),
        "manager",
        lambda w, p: forms_ranking.AdjustmentForm(prefix="adjust", applications=_ranked(w)),
        extra=lambda w, p: {"action": "adjust"},
        shown=("motivation",),
    ),
    "scoring:ranking[decide]": Row(
        _call_url("scoring:ranking"),
        "manager",
        lambda w, p: forms_ranking.DecisionForm(prefix="decide"),
        extra=lambda w, p: {"action": "decide"},
        prepare=_frozen_advice,
        examples=6,
    ),
    # --- The grant: start, reports, checks (R-START, R-COOP, R-TR, R-KPI) -------------------------
    "payments:project[start]": Row(
        _ref("payments:project", "grant"),
        "gent",
        lambda w, p: forms_grant.StartForm(prefix="start"),
        extra=lambda w, p: {"action": "start"},
    ),
    "payments:project[report]": Row(
        _ref("payments:project", "grant"),
        "gent",
        lambda w, p: forms_grant.ReportForm(
            prefix="report-interim", kind=ReportKind.INTERIM, kpis=w.approved.kpis.all()
        ),
        extra=lambda w, p: {"action": "report", "kind": "interim"},
        files=lambda w, p: {"report-interim-file": _pdf("rapport.pdf")},
        shown=("summary",),
    ),
    "payments:project[request]": Row(
        _ref("payments:project", "grant"),
        "gent",
        None,
        extra=lambda w, p: {"action": "request"},
        not_found=True,
        fields={"tranche": ("int", ("1", "2", "3"))},
    ),
    "payments:project[check-agreement]": Row(
        _ref("payments:project", "grant"),
        "manager",
        lambda w, p: forms_grant.CheckForm(prefix="check-agreement"),
        extra=lambda w, p: {"action": "check-agreement", "target": str(w.money["agreement"].pk)},
        shown=("note",),
    ),
    "payments:project[check-report]": Row(
        _ref("payments:project", "grant"),
        "manager",
        lambda w, p: forms_grant.CheckForm(prefix="check-report-interim"),
        extra=lambda w, p: {"action": "check-report", "target": str(w.money["report"].pk)},
    ),
    # --- Cost statements and changes (R-COSTS, R-ELIG, R-CHANGE) ----------------------------------
    "payments:cost_lines[add]": Row(
        _ref("payments:cost_lines", "grant"),
        "gent",
        lambda w, p: forms_costs.CostLineForm(prefix="line", partners=_grant_partners(w)),
        extra=lambda w, p: {"action": "add"},
        files=lambda w, p: {"line-evidence": _pdf("factuur.pdf")},
        shown=("description",),
    ),
    "payments:cost_lines[check]": Row(
        _ref("payments:cost_lines", "grant"),
        "finance",
        lambda w, p: forms_costs.LineCheckForm(prefix=f"check-{w.money['line'].pk}"),
        extra=lambda w, p: {"action": "check", "line": str(w.money["line"].pk)},
        shown=("reason",),
    ),
    "payments:cost_lines[accept_all]": Row(
        _ref("payments:cost_lines", "grant"),
        "finance",
        lambda w, p: forms_costs.AcceptPendingForm(prefix="all"),
        extra=lambda w, p: {"action": "accept_all"},
    ),
    "payments:changes[request]": Row(
        _ref("payments:changes", "grant"),
        "gent",
        lambda w, p: forms_costs.ChangeRequestForm(
            prefix="change", partners=selectors_costs.grant_partners(w.grant)
        ),
        extra=lambda w, p: {"action": "request"},
        shown=("description",),
    ),
    "payments:changes[decide]": Row(
        _ref("payments:changes", "grant"),
        "manager",
        lambda w, p: forms_costs.ChangeDecisionForm(prefix=f"decide-{w.money['change'].pk}"),
        extra=lambda w, p: {"action": "decide", "change": str(w.money["change"].pk)},
        shown=("motivation",),
    ),
    # --- Finance (R-TR, four eyes) -----------------------------------------------------------------
    "payments:finance_request[refuse]": Row(
        lambda w, p: reverse("payments:finance_request", args=[w.money["open_request"].pk]),
        "finance",
        lambda w, p: forms_finance.RefuseRequestForm(prefix="refuse"),
        extra=lambda w, p: {"action": "refuse"},
    ),
    "payments:finance_request[propose]": Row(
        lambda w, p: reverse("payments:finance_request", args=[w.money["open_request"].pk]),
        "finance",
        lambda w, p: forms_finance.ProposeForm(prefix="propose"),
        extra=lambda w, p: {"action": "propose"},
    ),
    "payments:finance_payment[approve]": Row(
        lambda w, p: reverse("payments:finance_payment", args=[w.money["proposed"].pk]),
        "finance_2",
        lambda w, p: forms_finance.ApproveForm(prefix="approve"),
        extra=lambda w, p: {"action": "approve"},
        examples=6,
    ),
    "payments:finance_payment[reject]": Row(
        lambda w, p: reverse("payments:finance_payment", args=[w.money["proposed"].pk]),
        "finance_2",
        lambda w, p: forms_finance.RejectPaymentForm(prefix="reject"),
        extra=lambda w, p: {"action": "reject"},
        shown=("note",),
    ),
    # --- Settlement and stop (R-SETTLE, R-STOP) ----------------------------------------------------
    "payments:settlement": Row(
        _ref("payments:settlement", "grant"),
        "finance",
        lambda w, p: forms_settlement.SettleForm(),
        examples=6,
    ),
    "payments:stop": Row(
        _ref("payments:stop", "grant"),
        "manager",
        lambda w, p: forms_settlement.StopForm(paid=selectors_settlement.paid_total(w.grant)),
        shows=_ref("payments:settlement", "grant"),
        examples=10,
    ),
    # --- The register and the end results (R-SHARE) ------------------------------------------------
    "register:list": Row(
        lambda w, p: reverse("register:list"),
        None,
        lambda w, p: register_forms.RegisterFilterForm(),
        method="get",
    ),
    "register:interest": Row(
        _ref("register:interest", "grant"),
        "leuven",
        lambda w, p: register_forms.ReuseInterestForm(organisations=[_org(w, "leuven")]),
        page=_ref("register:project", "grant"),
    ),
    "register:end_results": Row(
        _ref("register:end_results", "grant"),
        "gent",
        lambda w, p: register_forms.EndResultForm(),
        files=lambda w, p: {"file": _pdf("draaiboek.pdf")},
        shown=("title",),
    ),
    "register:offer_result": Row(
        lambda w, p: reverse(
            "register:offer_result", args=[w.grant.reference, w.money["draft"].pk]
        ),
        "gent",
        lambda w, p: register_forms.OfferForm(prefix=f"r{w.money['draft'].pk}"),
        page=_ref("register:end_results", "grant"),
    ),
    "register:decide": Row(
        lambda w, p: reverse("register:decide", args=[w.money["offered"].pk]),
        "manager",
        lambda w, p: register_forms.RefuseForm(prefix=f"r{w.money['offered'].pk}"),
        extra=lambda w, p: {"action": "refuse"},
        page=lambda w, p: reverse("register:review"),
    ),
}

# POST addresses without a form class: their fields are declared.
FORMS.update(
    {
        "set_language": Row(
            lambda w, p: reverse("set_language"),
            "gent",
            None,
            fields={"language": ("choice", ("nl", "en")), "next": ("text", ("/",))},
            page=lambda w, p: None,
        ),
        "applications:admissibility_decision": Row(
            _app_url("applications:admissibility_decision", "application"),
            "manager",
            None,
            fields={"admissible": ("choice", ("yes", "no")), "confirmed": ("choice", ("1",))},
            page=_app_url("applications:admissibility", "application"),
            examples=8,
        ),
    }
)

# Form classes without a row here, and why.
NOT_HERE = {
    "AttendanceUploadForm": "a file only: the upload checks are tested with the uploads",
    "BudgetUploadForm": "a file only: the upload checks are tested with the uploads",
    "AgreementForm": "a file only: the upload checks are tested with the uploads",
    "SectionForm": "the base of every section form (application_section[...] rows)",
    "PortalForm": "the base of the application's forms",
}


# --- The cases -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The URL matrix's world. Its letters' PDFs are not what this module tests: WeasyPrint is
    left out while it is built (a minute less); the posts below render as the portal does."""
    media = tmp_path_factory.mktemp("hostile-media")
    with django_db_blocker.unblock(), module_world(media):
        with _quick_pdfs():
            built = _build_world()
        yield built


@pytest.fixture(autouse=True)
def _media_in_tmp(world):
    """The world's media folder (module_world) stays in force for the module's tests."""


@contextmanager
def _quick_pdfs():
    with ExitStack() as stack:
        for module in RENDERING:
            stack.enter_context(mock.patch(f"{module}.render_pdf", return_value=PDF))
        yield


RENDERING = (
    "applications.services.submission",
    "scoring.services_ranking",
    "cot_portal.letters.services",
)


def _field_specs(row, form) -> dict:
    """Posted name -> (kind, valid values)."""
    specs = {}
    if form is not None:
        for name in form.fields:
            kind = kind_of(form.fields[name])
            if kind == "file":
                continue
            specs[form.add_prefix(name)] = (kind, valid_values(form, name, kind), name)
    for name, (kind, valid) in row.fields.items():
        specs[name] = (kind, tuple(valid), name)
    return specs


def _stored_values(form) -> dict:
    """What a page that sends its whole form sends unchanged: the stored values, as shown."""
    values = {}
    for name, form_field in form.fields.items():
        value = form[name].value()
        if isinstance(form_field, django_forms.MultipleChoiceField):
            values[form.add_prefix(name)] = [str(v) for v in value or []] or MISSING
        elif not isinstance(form_field, django_forms.FileField):
            shown = form_field.widget.format_value(value)
            values[form.add_prefix(name)] = "" if shown is None else str(shown)
    return values


def _encode(pairs) -> bytes:
    """application/x-www-form-urlencoded, lone surrogates included (as their UTF-8 bytes)."""

    def raw(text):
        return quote_plus(text.encode("utf-8", "surrogatepass"))

    return "&".join(f"{raw(k)}={raw(v)}" for k, v in pairs).encode("ascii")


def _multipart(pairs, files) -> dict:
    data = {}
    for key, value in pairs:
        clean = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        data.setdefault(key, []).append(clean)
    return {**data, **files}


def _pairs(values: dict) -> list:
    pairs = []
    for name, value in values.items():
        if value is MISSING:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return pairs


def _send(client, row, url, values, files, headers):
    pairs = _pairs(values)
    if row.method == "get":
        query = _encode(pairs).decode("ascii")
        return client.get(f"{url}?{query}", **headers)
    if files:
        return client.post(url, _multipart(pairs, files), **headers)
    return client.post(
        url, _encode(pairs), content_type="application/x-www-form-urlencoded", **headers
    )


def _client(world, row, prepared):
    client = Client()
    user = row.user(world, prepared) if callable(row.user) else world.users.get(row.user)
    if user is not None:
        client.force_login(user)
    return client


def _errors_of(client, url) -> set:
    if url is None:
        return set()
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return set(error_messages(response.content))


def _strategy(specs, row):
    names = sorted(specs)
    if row.partial:  # one field a post: a refusal of that field must change nothing
        return st.sampled_from(names).flatmap(
            lambda name: value_strategy(*specs[name][:2]).map(lambda value: {name: value})
        )
    fixed = {n: st.sampled_from(specs[n][1]) for n in names if specs[n][2] in row.skip}
    drawn = {n: value_strategy(*specs[n][:2]) for n in names if specs[n][2] not in row.skip}
    return st.fixed_dictionaries({**fixed, **drawn})


KEYS = sorted(FORMS)


@pytest.mark.parametrize("key", KEYS)
def test_hostile_input_is_refused_in_dutch_stored_never_and_shown_escaped(world, key):
    """Every form refuses what it cannot take without a server error, in Dutch, changing
    nothing; what it takes is shown escaped (module docstring). Rules involved per row: the
    amounts (R-BUDGET, R-RATE, R-COSTS, R-SETTLE, R-STOP), the dates (R-START, R-DUR, R-ELIG,
    R-CHANGE), the points (R-SCORE, R-SL), the jury's texts (R-JURY, R-JURY-Q, R-CUT, R-EXTRA)."""
    row = FORMS[key]
    prepared = row.prepare(world) if row.prepare else {}
    client = _client(world, row, prepared)
    url = row.url(world, prepared)
    page = (row.page or row.url)(world, prepared) if row.method == "post" else None
    if row.method == "get":
        page = None
    static_errors = _errors_of(client, page)
    shows = row.shows(world, prepared) if row.shows else None
    form = row.form(world, prepared) if row.form else None
    specs = _field_specs(row, form)
    assert specs, f"{key}: no fields"
    headers = {"HTTP_HX_REQUEST": "true"} if row.htmx else {}
    base = _stored_values(form) if row.partial else {}
    seen = {"refused": 0, "accepted": 0}

    @settings(
        max_examples=row.examples * EXAMPLES_FACTOR,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.generate],  # a failure is reported as found: no shrinking
    )
    @given(drawn=_strategy(specs, row))
    def run(drawn):
        with transaction.atomic():
            values = {**base, **(row.extra or _none)(world, prepared), **drawn}
            files = row.files(world, prepared) if row.files else {}
            before = fingerprint()
            response = _send(client, row, url, values, files, headers)
            where = f"{key} {sorted(drawn)}"
            assert response.status_code < 500, where
            assert_escaped(response.content, where)
            final = response
            if response.status_code == 302:
                target = response["Location"]
                assert not target.startswith(reverse("accounts:login")), f"{where}: {target}"
                final = client.get(target)
                assert final.status_code < 500, f"{where}: {target}"
                assert_escaped(final.content, f"{where} -> {target}")
            new_errors = [
                e for e in error_messages(final.content, row.htmx) if e not in static_errors
            ]
            if response.status_code == 404:  # a target that does not exist (row.not_found)
                assert row.not_found, f"{where}: 404"
                seen["refused"] += 1
                after = fingerprint()
                assert before == after, f"{where}: 404, yet stored data changed"
                transaction.set_rollback(True)
                return
            refused = response.status_code >= 400 or bool(new_errors)
            if refused:
                seen["refused"] += 1
                assert new_errors, f"{where}: refused ({response.status_code}) without a message"
                for message in new_errors:
                    assert_dutch(message, where, values.values())
                after = fingerprint()
                changed = sorted(t for t in before if before[t] != after[t])
                assert not changed, f"{where}: refused ({new_errors}), yet {changed} changed"
            else:
                seen["accepted"] += 1
                shown = final
                if row.shows is not None:
                    shown = client.get(shows)
                    assert shown.status_code < 500, where
                    assert_escaped(shown.content, f"{where} shown on {shows}")
                kept = row.shown_when is None or row.shown_when(values)
                for name in row.shown if kept else ():
                    posted = values.get(form.add_prefix(name), MISSING)
                    if isinstance(posted, str) and SCRIPT in posted:
                        assert ESCAPED_SCRIPT in shown.content.decode(), (
                            f"{where}: accepted {name} not shown (escaped)"
                        )
            transaction.set_rollback(True)

    run()
    assert seen["refused"] + seen["accepted"] >= 1, key


def _portal_form_classes() -> dict:
    """Every form class defined in the portal's apps: name -> class."""
    import importlib
    import pkgutil

    found = {}
    for package in ("applications", "scoring", "payments", "cot_portal"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for name, obj in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(obj, django_forms.BaseForm)
                    and obj.__module__ == module.__name__
                    and obj.__module__.split(".")[0]
                    in ("applications", "scoring", "payments", "cot_portal")
                ):
                    found[name] = obj
    return found


def test_every_form_class_has_a_row(world):
    """A new form needs its row here (or a reason in NOT_HERE): hostile input is a property
    of every form, not of the ones someone remembered."""
    covered = set()
    for row in FORMS.values():
        if row.form is None:
            continue
        prepared = {"idea": world.idea, "user": world.users["juror"]}
        form = row.form(world, prepared)
        covered |= {cls.__name__ for cls in type(form).__mro__}
    missing = sorted(set(_portal_form_classes()) - covered - set(NOT_HERE))
    assert not missing, f"form classes without a row in FORMS: {missing}"
    stale = sorted(set(NOT_HERE) & covered - {"SectionForm", "PortalForm"})
    assert not stale, f"NOT_HERE names forms that have a row: {stale}"

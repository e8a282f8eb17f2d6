"""The co-creation track (R-COCREATE): sessions, registrations, attendance, the missing list."""

import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from applications import selectors_cocreation as selectors
from applications.models import (
    Attendance,
    AttendanceSource,
    CoCreationSession,
    SessionKind,
    SessionRegistration,
)
from applications.services import cocreation as services
from cot_portal.accounts.models import Membership, StaffRole
from tests.factories import UserFactory, member_of, municipality, open_call
from tests.factories_cocreation import CoCreationSessionFactory, attendance, registration

pytestmark = pytest.mark.django_db

GENT, LEUVEN, AALST = "44021", "24062", "41002"


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.COT_REQUIRE_2FA = False


@pytest.fixture
def call():
    return open_call()


@pytest.fixture
def manager():
    return UserFactory(roles=[StaffRole.CALL_MANAGER])


@pytest.fixture
def gent_user():
    return member_of(municipality(GENT), first_name="Griet", last_name="Gentenaar")


@pytest.fixture
def leuven_user():
    return member_of(municipality(LEUVEN), first_name="Lode", last_name="Leuvenaar")


@pytest.fixture
def session(call):
    return CoCreationSessionFactory(call=call, title="Infosessie datagedreven beleid")


def url(name, call, session=None, **kwargs):
    args = [call.year] + ([session.pk] if session is not None else [])
    return reverse(f"applications:{name}", args=args + list(kwargs.values()))


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def session_post_data(**overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=14)).replace(
        hour=13, minute=30, second=0, microsecond=0
    )
    data = {
        "title": "Inspiratiesessie digitale tweeling",
        "kind": SessionKind.INSPIRATION,
        "description": "Drie steden tonen hun aanpak.",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=3)),
        "location": "De Krook, Gent",
        "online_url": "",
        "capacity": "40",
    }
    data.update(overrides)
    return data


def csv_upload(text, name="aanwezigen.csv", bom=True):
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" + data) if bom else data, "text/csv")


def xlsx_upload(rows, name="aanwezigen.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- sessions ----------------------------------------------------------------------------------


def test_the_call_manager_plans_a_session_and_history_names_them(client, call, manager):
    client.force_login(manager)
    response = client.post(url("session_create", call), session_post_data())
    session = CoCreationSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("session_detail", call, session)
    assert (session.call, session.kind, session.capacity) == (call, SessionKind.INSPIRATION, 40)
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "13:30"
    record = session.history.get()
    assert record.history_user == manager
    assert record.history_change_reason == "session planned"

    page = client.get(url("session_list", call)).content.decode()
    assert "Inspiratiesessie digitale tweeling" in page
    assert timezone.localtime(session.starts_at).strftime("%d/%m/%Y 13:30") in page


def test_an_invalid_session_keeps_what_was_typed_and_names_the_fields(client, call, manager):
    client.force_login(manager)
    start = timezone.now() + timedelta(days=3)
    data = session_post_data(
        title="Sessie met fouten",
        starts_at=local(start),
        ends_at=local(start - timedelta(hours=1)),
        location="",
        online_url="",
        capacity="0",
    )
    response = client.post(url("session_create", call), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"ends_at", "location", "capacity"} <= set(errors)
    assert "__all__" not in errors  # no second, technical message about the DB constraint
    page = response.content.decode()
    assert 'value="Sessie met fouten"' in page
    assert "is-invalid" in page
    assert not CoCreationSession.objects.exists()


def test_the_manager_edits_a_session_but_not_below_its_registrations(
    client, call, manager, session, gent_user, leuven_user
):
    registration(session, gent_user)
    registration(session, leuven_user)
    client.force_login(manager)
    data = session_post_data(
        title="Nieuwe titel",
        starts_at=local(session.starts_at),
        ends_at=local(session.ends_at),
        capacity="1",
    )
    response = client.post(url("session_edit", call, session), data)
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    session.refresh_from_db()
    assert session.title == "Infosessie datagedreven beleid"

    response = client.post(url("session_edit", call, session), {**data, "capacity": "2"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.capacity) == ("Nieuwe titel", 2)
    assert session.history.latest().history_change_reason == "session changed"


def test_a_session_of_another_call_year_is_404(client, call, session, gent_user):
    other = open_call(year=2031, title="Oproep 2031")
    client.force_login(gent_user)
    assert client.get(url("session_detail", other, session)).status_code == 404
    assert client.get(reverse("applications:session_list", args=[1999])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, call, session):
    for name, target in [("session_list", None), ("session_detail", session)]:
        response = client.get(url(name, call, target))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- registrations -----------------------------------------------------------------------------


def test_a_member_registers_for_their_organisation_and_cancels(client, call, session, gent_user):
    client.force_login(gent_user)
    page = client.get(url("session_detail", call, session)).content.decode()
    assert url("session_register", call, session) in page
    assert "Gent" in page

    response = client.post(
        url("session_register", call, session), {"organisation": municipality(GENT).pk}
    )
    assert response.status_code == 302
    reg = SessionRegistration.objects.get()
    assert (reg.session, reg.user, reg.organisation.nis_code) == (session, gent_user, GENT)
    assert reg.history.get().history_change_reason == "registered for the session"

    page = client.get(url("session_list", call)).content.decode()
    assert "badge text-bg-primary" in page  # "registered" badge
    page = client.get(url("session_detail", call, session)).content.decode()
    assert url("session_cancel", call, session) in page
    assert "Griet Gentenaar" in page  # the own organisation's registrations

    # registering twice does not create a second registration
    client.post(url("session_register", call, session), {"organisation": municipality(GENT).pk})
    assert SessionRegistration.objects.count() == 1

    response = client.post(url("session_cancel", call, session))
    assert response.status_code == 302
    assert not SessionRegistration.objects.exists()
    assert SessionRegistration.history.filter(history_type="-").exists()


def test_a_member_cannot_register_for_an_organisation_they_do_not_belong_to(
    client, call, session, gent_user
):
    client.force_login(gent_user)
    client.post(url("session_register", call, session), {"organisation": municipality(LEUVEN).pk})
    assert not SessionRegistration.objects.exists()


def test_a_member_of_two_organisations_chooses_which_one(client, call, session, gent_user):
    Membership.objects.create(user=gent_user, organisation=municipality(AALST))
    client.force_login(gent_user)
    page = client.get(url("session_detail", call, session)).content.decode()
    assert '<select name="organisation"' in page
    client.post(url("session_register", call, session), {"organisation": municipality(AALST).pk})
    assert SessionRegistration.objects.get().organisation.nis_code == AALST


def test_a_full_session_refuses_new_registrations_with_a_message(
    client, call, gent_user, leuven_user
):
    session = CoCreationSessionFactory(call=call, capacity=1)
    registration(session, leuven_user)
    client.force_login(gent_user)
    page = client.get(url("session_detail", call, session)).content.decode()
    assert "alert-warning" in page
    assert url("session_register", call, session) not in page

    response = client.post(
        url("session_register", call, session), {"organisation": municipality(GENT).pk}
    )
    assert response.status_code == 302
    assert SessionRegistration.objects.filter(session=session).count() == 1
    assert len(messages_of(response)) == 1
    assert "text-bg-danger" in client.get(url("session_list", call)).content.decode()


def test_a_session_that_started_refuses_registration_and_cancellation(
    client, call, gent_user, leuven_user
):
    started = CoCreationSessionFactory(
        call=call, starts_at=timezone.now() - timedelta(minutes=5), capacity=None
    )
    registration(started, leuven_user)
    client.force_login(gent_user)
    client.post(url("session_register", call, started), {"organisation": municipality(GENT).pk})
    assert SessionRegistration.objects.filter(user=gent_user).count() == 0
    client.force_login(leuven_user)
    client.post(url("session_cancel", call, started))
    assert SessionRegistration.objects.filter(user=leuven_user).count() == 1


def test_staff_without_an_organisation_cannot_register(client, call, session):
    juror = UserFactory(roles=[StaffRole.JURY_MEMBER])
    client.force_login(juror)
    page = client.get(url("session_detail", call, session)).content.decode()
    assert url("session_register", call, session) not in page
    assert client.post(url("session_register", call, session)).status_code == 404


def test_another_municipality_never_sees_a_different_organisations_registrations(
    client, call, session, gent_user, leuven_user, manager
):
    registration(session, gent_user)
    attendance(session, municipality(GENT), "Gerda Gentse Aanwezige", recorded_by=manager)
    client.force_login(leuven_user)
    for page_url in (url("session_detail", call, session), url("session_list", call)):
        page = client.get(page_url).content.decode()
        assert "Gentenaar" not in page
        assert gent_user.email not in page
        assert "Gerda Gentse Aanwezige" not in page
    assert client.get(url("session_attendance", call, session)).status_code == 404
    # the counts are public, the names are not
    detail = client.get(url("session_detail", call, session))
    assert detail.context["session"].registration_count == 1
    assert detail.context["own_registrations"] == []
    assert detail.context["own_attendances"] == []

    client.force_login(gent_user)
    page = client.get(url("session_list", call)).content.decode()
    assert (
        "Infosessie datagedreven beleid"
        in page.split('id="own-attendance-heading"')[1].split('id="sessions-heading"')[0]
    )


def test_the_manager_sees_every_registration(
    client, call, session, gent_user, leuven_user, manager
):
    registration(session, gent_user)
    registration(session, leuven_user)
    client.force_login(manager)
    page = client.get(url("session_detail", call, session)).content.decode()
    assert "Gentenaar" in page and "Leuvenaar" in page


# --- attendance --------------------------------------------------------------------------------


def test_the_manager_records_attendance_by_hand_and_a_duplicate_is_refused(
    client, call, session, manager
):
    client.force_login(manager)
    gent = municipality(GENT)
    data = {
        "organisation": gent.pk,
        "person_name": " Jan   Peeters ",
        "person_email": "jan@gent.be",
    }
    response = client.post(url("session_attendance", call, session), data)
    assert response.status_code == 302
    recorded = Attendance.objects.get()
    assert (recorded.organisation, recorded.person_name, recorded.source, recorded.recorded_by) == (
        gent,
        "Jan Peeters",
        AttendanceSource.MANUAL,
        manager,
    )
    assert recorded.history.get().history_change_reason == "attendance recorded by hand"

    response = client.post(
        url("session_attendance", call, session), {**data, "person_name": "jan peeters"}
    )
    assert response.status_code == 200
    assert "person_name" in response.context["form"].errors
    assert 'value="jan peeters"' in response.content.decode()
    assert Attendance.objects.count() == 1


def test_a_manual_attendance_with_missing_and_invalid_fields_keeps_the_input(
    client, call, session, manager
):
    client.force_login(manager)
    response = client.post(
        url("session_attendance", call, session),
        {"organisation": "", "person_name": "   ", "person_email": "geen-adres"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"organisation", "person_name", "person_email"}
    assert 'value="geen-adres"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_manager_removes_an_attendance_recorded_by_mistake(client, call, session, manager):
    wrong = attendance(session, municipality(GENT), recorded_by=manager)
    client.force_login(manager)
    response = client.post(url("attendance_remove", call, session, attendance_pk=wrong.pk))
    assert response.status_code == 302
    assert not Attendance.objects.exists()
    assert Attendance.history.filter(
        history_type="-", history_change_reason="attendance removed"
    ).exists()


def test_an_upload_with_one_bad_row_imports_nothing_and_shows_the_row_number(
    client, call, session, manager
):
    client.force_login(manager)
    upload = csv_upload(
        "Organisatie;Naam;E-mail\n"
        "Gent;Jan Peeters;jan@gent.be\n"
        "Leuven;An Janssens;an@leuven.be\n"
        "Atlantis;Iemand Onbekend;iemand@atlantis.be\n"
        "41002;Els Maes;els@aalst.be\n"
    )
    response = client.post(url("attendance_upload", call, session), {"file": upload})
    assert response.status_code == 200
    assert not Attendance.objects.exists()
    report = response.context["report"]
    assert [(e.row, e.code) for e in report.errors] == [(4, "unknown_organisation")]
    page = response.content.decode()
    assert '<th scope="row">4</th>' in page
    assert "Atlantis" in page


def test_an_upload_of_a_valid_xlsx_imports_all_and_a_second_upload_adds_nobody(
    client, call, session, manager
):
    attendance(session, municipality(GENT), "Jan Peeters", recorded_by=manager)
    client.force_login(manager)
    rows = [
        ("Organisatie", "Naam", "E-mail"),
        ("Stad Gent", "jan peeters", "jan@gent.be"),  # already recorded by hand
        (24062, "An Janssens", "an@leuven.be"),
        ("Aalst", "Els Maes", None),
        ("Vlaamse Gemeenschapscommissie", "Bert Brussel", "bert@vgc.be"),
    ]
    response = client.post(url("attendance_upload", call, session), {"file": xlsx_upload(rows)})
    assert response.status_code == 302
    assert response["Location"] == url("session_attendance", call, session)
    assert Attendance.objects.count() == 4
    uploaded = Attendance.objects.filter(source=AttendanceSource.UPLOAD)
    assert sorted(a.organisation.nis_code or a.organisation.slug for a in uploaded) == [
        LEUVEN,
        AALST,
        "vgc",
    ]
    assert all(a.recorded_by == manager for a in uploaded)
    assert Attendance.history.filter(source=AttendanceSource.UPLOAD).count() == 3
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]

    response = client.post(url("attendance_upload", call, session), {"file": xlsx_upload(rows)})
    assert response.status_code == 302
    assert Attendance.objects.count() == 4


def test_a_semicolon_csv_export_from_belgian_excel_imports(client, call, session, manager):
    client.force_login(manager)
    upload = csv_upload("Organisatie;Naam;E-mail\r\n44021;Jan Peeters;\r\nLeuven;An Janssens;\r\n")
    response = client.post(url("attendance_upload", call, session), {"file": upload})
    assert response.status_code == 302
    assert Attendance.objects.count() == 2


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("lijst.pdf", b"%PDF-1.7", "application/pdf"), "file_type"),
        (
            SimpleUploadedFile("lijst.xlsx", b"niet echt excel", "application/octet-stream"),
            "not_xlsx",
        ),
        (
            SimpleUploadedFile("lijst.csv", b"Gent;Jan;\n" * (3 * 1024 * 1024 // 10), "text/csv"),
            "file_size",
        ),
    ],
)
def test_unusable_files_are_refused_with_a_message_on_the_file_field(
    client, call, session, manager, upload, code
):
    client.force_login(manager)
    response = client.post(url("attendance_upload", call, session), {"file": upload})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_an_xlsx_with_a_formula_is_refused(client, call, session, manager):
    client.force_login(manager)
    rows = [("Gent", "Jan Peeters", None), ("Leuven", "=B1", None)]
    response = client.post(url("attendance_upload", call, session), {"file": xlsx_upload(rows)})
    assert response.status_code == 200
    assert [(e.row, e.code) for e in response.context["report"].errors] == [(2, "formula")]
    assert not Attendance.objects.exists()


def test_the_import_service_reports_new_and_already_recorded_people(call, session, manager):
    content = b"Gent;Jan Peeters;\nLeuven;An Janssens;\n"
    first = services.import_attendance_list(
        session=session, filename="lijst.csv", content=content, by=manager
    )
    assert (first.created, first.already_recorded, first.errors) == (2, 0, [])
    second = services.import_attendance_list(
        session=session, filename="lijst.csv", content=content + b"Aalst;Els Maes;\n", by=manager
    )
    assert (second.created, second.already_recorded) == (1, 2)
    assert Attendance.objects.filter(session=session).count() == 3


# --- local governments without attendance ------------------------------------------------------


def test_the_missing_page_lists_local_governments_without_attendance_only(
    client, call, session, manager, leuven_user
):
    other_call = open_call(year=2031, title="Oproep 2031")
    attendance(session, municipality(GENT), recorded_by=manager)
    attendance(CoCreationSessionFactory(call=other_call), municipality(AALST), recorded_by=manager)
    registration(session, leuven_user)
    client.force_login(manager)

    total = selectors.local_governments().count()
    assert total == 286  # 285 Flemish cities and municipalities and the VGC
    response = client.get(url("cocreation_missing", call))
    assert response.context["missing_count"] == total - 1
    names = [org.name for org in response.context["page"].object_list]
    assert "Gent" not in names
    assert "Aalst" in names  # attended, but a session of another call
    assert "Aalen" not in names
    page = response.content.decode()
    assert f'<dd class="col-sm-7 col-lg-8 fs-5 fw-bold" id="missing-count">{total - 1}</dd>' in page
    assert "pagina=2" in page

    all_names = []
    for number in response.context["page"].paginator.page_range:
        all_names += [
            o.name
            for o in client.get(url("cocreation_missing", call), {"pagina": number})
            .context["page"]
            .object_list
        ]
    assert len(all_names) == total - 1 and "Gent" not in all_names
    assert "Leuven" in all_names and "Vlaamse Gemeenschapscommissie" in all_names
    assert selectors.has_attended(call, municipality(GENT).pk)
    assert not selectors.has_attended(call, municipality(AALST).pk)
    leuven = next(
        o
        for n in response.context["page"].paginator.page_range
        for o in response.context["page"].paginator.page(n).object_list
        if o.name == "Leuven"
    )
    assert leuven.registered is True


# --- permissions -------------------------------------------------------------------------------

MANAGER_PAGES = [
    ("session_create", False, "get"),
    ("session_edit", True, "get"),
    ("session_attendance", True, "get"),
    ("session_attendance", True, "post"),
    ("attendance_upload", True, "get"),
    ("attendance_upload", True, "post"),
    ("cocreation_missing", False, "get"),
]


@pytest.mark.parametrize(("name", "with_session", "method"), MANAGER_PAGES)
@pytest.mark.parametrize("who", ["applicant", "juror", "finance", "anonymous", "manager"])
def test_manager_pages_are_404_for_everyone_else_and_redirect_anonymous_visitors(
    client, call, session, name, with_session, method, who
):
    users = {
        "applicant": lambda: member_of(municipality(GENT)),
        "juror": lambda: UserFactory(roles=[StaffRole.JURY_MEMBER]),
        "finance": lambda: UserFactory(roles=[StaffRole.FINANCE_OFFICER]),
        "anonymous": lambda: None,
        "manager": lambda: UserFactory(roles=[StaffRole.CALL_MANAGER]),
    }
    user = users[who]()
    if user:
        client.force_login(user)
    target = url(name, call, session if with_session else None)
    response = getattr(client, method)(target)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif who == "manager":
        assert response.status_code in {200, 302}
    else:
        assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_removing_attendance_is_404_for_an_applicant(client, call, session, manager, gent_user):
    recorded = attendance(session, municipality(GENT), recorded_by=manager)
    client.force_login(gent_user)
    response = client.post(url("attendance_remove", call, session, attendance_pk=recorded.pk))
    assert response.status_code == 404
    assert Attendance.objects.exists()


def test_the_permissions_match_the_roles(gent_user, manager):
    juror = UserFactory(roles=[StaffRole.JURY_MEMBER])
    assert manager.has_perm("applications.manage_sessions")
    assert not gent_user.has_perm("applications.manage_sessions")
    assert not juror.has_perm("applications.manage_sessions")
    assert gent_user.has_perm("applications.register_for_session")
    assert not juror.has_perm("applications.register_for_session")


# --- query counts ------------------------------------------------------------------------------


def _queries(client, target):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("n", [3, 30])
def test_the_session_list_runs_a_fixed_number_of_queries(
    client, call, gent_user, leuven_user, manager, django_assert_max_num_queries, n
):
    for i in range(n):
        session = CoCreationSessionFactory(call=call, capacity=None if i % 2 else 5)
        registration(session, gent_user)
        registration(session, leuven_user)
        attendance(session, municipality(GENT), f"Persoon {i}", recorded_by=manager)
    for user in (gent_user, manager):
        client.force_login(user)
        client.get(url("session_list", call))  # warm the session and permission caches
        with django_assert_max_num_queries(12):
            response = client.get(url("session_list", call))
        assert len(response.context["sessions"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_missing_page_runs_a_fixed_number_of_queries(
    client, call, manager, leuven_user, django_assert_max_num_queries, n
):
    sessions = CoCreationSessionFactory.create_batch(3, call=call)
    registration(sessions[0], leuven_user)
    organisations = list(selectors.local_governments().order_by("nis_code")[:n])
    for i, organisation in enumerate(organisations):
        attendance(sessions[i % 3], organisation, f"Persoon {i}", recorded_by=manager)
    client.force_login(manager)
    client.get(url("cocreation_missing", call))
    with django_assert_max_num_queries(10):
        response = client.get(url("cocreation_missing", call))
    assert response.context["missing_count"] == 286 - n


def test_query_counts_do_not_grow_from_3_to_30_rows(client, call, gent_user, manager):
    def build(n, offset):
        for i in range(n):
            session = CoCreationSessionFactory(call=call)
            registration(session, gent_user)
            organisation = list(selectors.local_governments().order_by("nis_code"))[offset + i]
            attendance(session, organisation, f"Persoon {i}", recorded_by=manager)

    counts = {}
    build(3, 0)
    for user in (gent_user, manager):
        client.force_login(user)
        client.get(url("session_list", call))
        counts[user.pk, "list", 3] = _queries(client, url("session_list", call))
    counts["missing", 3] = _queries(client, url("cocreation_missing", call))
    build(27, 3)
    for user in (gent_user, manager):
        client.force_login(user)
        client.get(url("session_list", call))
        counts[user.pk, "list", 30] = _queries(client, url("session_list", call))
    counts["missing", 30] = _queries(client, url("cocreation_missing", call))
    assert counts[gent_user.pk, "list", 3] == counts[gent_user.pk, "list", 30]
    assert counts[manager.pk, "list", 3] == counts[manager.pk, "list", 30]
    assert counts["missing", 3] == counts["missing", 30]


# --- dashboard panels --------------------------------------------------------------------------


def render_tag(source, **context):
    return Template("{% load cocreation_tags %}" + source).render(Context(context))


def test_the_applicant_panel_lists_upcoming_sessions_and_the_organisations_attendance(
    call, session, gent_user, manager
):
    past = CoCreationSessionFactory(
        call=call,
        title="Kick-off vorige maand",
        starts_at=timezone.now() - timedelta(days=30),
    )
    attendance(past, municipality(GENT), "Griet Gentenaar", recorded_by=manager)
    html = render_tag("{% cocreation_applicant_panel user %}", user=gent_user)
    assert "Infosessie datagedreven beleid" in html
    assert url("session_detail", call, session) + "#registration" in html
    assert url("session_list", call) in html
    attended = html.split('class="h6 mt-3"')[1]
    assert "Kick-off vorige maand" in attended
    assert "Kick-off vorige maand" not in html.split('class="h6 mt-3"')[0]

    html = render_tag("{% cocreation_applicant_panel user heading_level=3 %}", user=gent_user)
    assert '<h3 id="cocreation-applicant-heading"' in html


def test_the_applicant_panel_of_another_municipality_does_not_show_gents_attendance(
    call, session, leuven_user, manager
):
    attendance(session, municipality(GENT), "Griet Gentenaar", recorded_by=manager)
    html = render_tag("{% cocreation_applicant_panel user %}", user=leuven_user)
    assert "empty-state" in html.split('class="h6 mt-3"')[1]


def test_the_manager_panel_links_each_call_with_the_missing_count(call, session, manager, rf):
    attendance(session, municipality(GENT), recorded_by=manager)
    request = rf.get("/")
    request.user = manager
    html = render_tag("{% cocreation_manager_panel %}", request=request, user=manager)
    assert url("session_list", call) in html
    assert url("cocreation_missing", call) in html
    assert "285" in html and "286" in html

    request.user = member_of(municipality(GENT))
    assert render_tag("{% cocreation_manager_panel %}", request=request).strip() == ""

"""The scheduled jobs of execution (issue 8): reminders to the lead applicant (R-START, R-TR2,
R-TR3) and overdue flags to the call managers, each sent once however often the job runs."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cot_portal.accounts.models import StaffRole
from cot_portal.celery import app
from cot_portal.formatting import short_date
from payments import rules, tasks
from payments.models import Grant, Tranche
from tests.factories import member_of
from tests.factories_ranking import decided_grant
from tests.factories_scoring import call_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def world():
    decided = decided_grant()
    return {"grant": decided.grant, "lead": decided.lead, "manager": decided.manager}


def on(day):
    """Travel to 07:00 in Brussels on `day`, when the daily jobs run."""
    return time_machine.travel(datetime.combine(day, time(7, 0), tzinfo=BRUSSELS), tick=False)


def about(mailoutbox, word) -> list:
    return [m for m in mailoutbox if word in m.subject]


def started(grant):
    Grant.objects.filter(pk=grant.pk).update(actual_start_date=grant.start_date)
    grant.refresh_from_db()
    return grant


def test_the_jobs_are_scheduled_daily():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "payments.tasks.send_execution_reminders" in tasks_scheduled
    assert "payments.tasks.flag_overdue_grants" in tasks_scheduled


def test_r_start_reminder_30_days_before_the_latest_start_goes_out_once(world, mailoutbox):
    grant, lead = world["grant"], world["lead"]
    colleague = member_of(grant.organisation)
    due = grant.latest_start - timedelta(days=30)
    with on(due - timedelta(days=1)):
        tasks.send_execution_reminders.delay()
    assert about(mailoutbox, "moet uiterlijk") == []
    with on(due):
        tasks.send_execution_reminders.delay()
        tasks.send_execution_reminders.delay()
    with on(due + timedelta(days=3)):
        tasks.send_execution_reminders()
    sent = about(mailoutbox, "moet uiterlijk")
    assert len(sent) == 1
    assert set(sent[0].to) == {lead.email, colleague.email}
    assert grant.reference in sent[0].subject
    assert short_date(grant.latest_start) in sent[0].body


def test_r_start_no_reminder_once_the_project_started(world, mailoutbox):
    grant = started(world["grant"])
    with on(grant.latest_start - timedelta(days=10)):
        tasks.send_execution_reminders()
    assert about(mailoutbox, "moet uiterlijk") == []


def test_r_tr2_the_lead_is_told_once_when_tranche_2_becomes_requestable(world, mailoutbox):
    grant = started(world["grant"])
    middle = rules.halfway(grant.start_date, grant.end_date)
    with on(middle - timedelta(days=1)):
        tasks.send_execution_reminders()
    assert about(mailoutbox, "schijf 2") == []
    with on(middle):
        tasks.send_execution_reminders()
        tasks.send_execution_reminders()
    with on(middle + timedelta(days=40)):
        tasks.send_execution_reminders()
    sent = about(mailoutbox, "schijf 2")
    assert len(sent) == 1 and world["lead"].email in sent[0].to
    assert "€ 240.000,00" in sent[0].body.replace("\xa0", " ")


def test_r_tr2_no_message_when_tranche_2_was_requested(world, mailoutbox):
    grant = started(world["grant"])
    Tranche.objects.filter(grant=grant, number=2).update(status="requested")
    with on(rules.halfway(grant.start_date, grant.end_date)):
        tasks.send_execution_reminders()
    assert about(mailoutbox, "schijf 2") == []


def test_r_tr3_final_report_and_tranche_3_reminder_once_from_the_end(world, mailoutbox):
    grant = started(world["grant"])
    Tranche.objects.filter(grant=grant, number__in=[1, 2]).update(status="paid")
    with on(grant.end_date - timedelta(days=1)):
        tasks.send_execution_reminders()
    assert about(mailoutbox, "schijf 3") == []
    with on(grant.end_date):
        tasks.send_execution_reminders()
        tasks.send_execution_reminders()
    sent = about(mailoutbox, "schijf 3")
    assert len(sent) == 1 and world["lead"].email in sent[0].to
    deadline = rules.final_request_deadline(grant.end_date, grant.call.final_request_months)
    assert short_date(deadline) in sent[0].subject
    # R-CHANGE: a later end date is a new deadline, reminded again once.
    new_end = grant.end_date + timedelta(days=60)
    Grant.objects.filter(pk=grant.pk).update(end_date=new_end)
    with on(new_end):
        tasks.send_execution_reminders()
        tasks.send_execution_reminders()
    assert len(about(mailoutbox, "schijf 3")) == 2


def test_r_tr3_no_reminder_once_tranche_3_is_requested(world, mailoutbox):
    grant = started(world["grant"])
    Tranche.objects.filter(grant=grant, number=3).update(status="requested")
    with on(grant.end_date + timedelta(days=5)):
        tasks.send_execution_reminders()
    assert about(mailoutbox, "schijf 3") == []


def test_overdue_items_are_flagged_once_to_every_active_unconflicted_call_manager(
    world, mailoutbox
):
    grant, manager = world["grant"], world["manager"]
    colleague = call_manager()
    gone = call_manager(is_active=False)
    conflicted = member_of(grant.organisation, roles=[StaffRole.CALL_MANAGER])
    # R-START: the latest start passed and no start is entered.
    with on(grant.latest_start):
        tasks.flag_overdue_grants.delay()
    assert about(mailoutbox, "Te laat") == []
    with on(grant.latest_start + timedelta(days=1)):
        tasks.flag_overdue_grants.delay()
        tasks.flag_overdue_grants.delay()
    with on(grant.latest_start + timedelta(days=8)):
        tasks.flag_overdue_grants()
    flagged = about(mailoutbox, "is niet gestart")
    assert len(flagged) == 1
    assert set(flagged[0].to) == {manager.email, colleague.email}
    assert gone.email not in flagged[0].to and conflicted.email not in flagged[0].to
    assert world["lead"].email not in flagged[0].to

    # R-TR3: the final-request deadline passed without a request of tranche 3.
    started(grant)
    deadline = rules.final_request_deadline(grant.end_date, grant.call.final_request_months)
    with on(deadline):
        tasks.flag_overdue_grants()
    assert about(mailoutbox, "schijf 3 niet aangevraagd") == []
    with on(deadline + timedelta(days=1)):
        tasks.flag_overdue_grants()
        tasks.flag_overdue_grants()
    flagged = about(mailoutbox, "schijf 3 niet aangevraagd")
    assert len(flagged) == 1 and set(flagged[0].to) == {manager.email, colleague.email}
    assert len(mailoutbox) == 2


def test_no_flags_for_a_grant_that_no_longer_runs(world, mailoutbox):
    grant = world["grant"]
    Grant.objects.filter(pk=grant.pk).update(status="stopped")
    with on(grant.latest_start + timedelta(days=1)):
        tasks.flag_overdue_grants()
        tasks.send_execution_reminders()
    assert mailoutbox == []

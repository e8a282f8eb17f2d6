"""Two people saving the same section at the same moment (PostgreSQL, real threads).

Exactly one save wins; the other is told a colleague saved first, and its text is not written
over the winner's (issue 5: "two people editing the same section must never silently
overwrite each other"). Two clicks on submit give one snapshot (R-SUBMIT).
"""

import threading

import pytest
from django.db import connection

from applications.models import Application, Submission
from applications.services import application as services
from applications.services.submission import submit_application
from tests.factories_application import complete, started_application

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_saves_of_one_section_at_the_same_time_lose_nothing(settings):
    settings.COT_REQUIRE_2FA = False
    application, _ = started_application()
    version = application.section_version("project")

    def save(text):
        return lambda: services.save_section(
            Application.objects.get(pk=application.pk),
            "project",
            values={"summary": text},
            version=version,
        )

    results = run_together(save("Tekst van An"), save("Tekst van Piet"))
    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, services.StaleSection)]
    assert len(winners) == 1 and len(losers) == 1, results
    application.refresh_from_db()
    assert application.summary == winners[0].summary
    assert application.section_version("project") == version + 1


def test_a_double_click_on_submit_makes_one_snapshot(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    application, user = started_application()
    complete(application, user)

    def submit():
        return submit_application(Application.objects.get(pk=application.pk), user=user)

    results = run_together(submit, submit)
    assert sum(isinstance(r, Submission) for r in results) == 1, results
    assert Submission.objects.filter(application=application).count() == 1

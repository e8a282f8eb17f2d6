"""Two clicks on "submit" of an idea at the same moment (PostgreSQL, real threads).

R-DL1 / R-DL: the server's receipt time is the proof, so one idea has one submission and one
receipt (R-LETTER): one `idea-receipt` letter, e-mailed once to each recipient, one history
record of the submission. The second click is told the idea was already submitted.
"""

import pytest
from django.core import mail

from applications.models import Idea, IdeaStatus
from applications.services import ideas as services
from cot_portal.letters.models import Letter
from tests.concurrency.test_concurrent_saves import run_together
from tests.factories import IdeaFactory, member_of, municipality, open_call

pytestmark = pytest.mark.django_db(transaction=True)

CLICKS = 6


@pytest.fixture
def draft(settings):
    settings.COT_REQUIRE_2FA = False
    gent = municipality("44021")
    an = member_of(gent, email="an@gent.be")
    piet = member_of(gent, email="piet@gent.be")
    idea = IdeaFactory(call=open_call(), organisation=gent, created_by=an)
    assert idea.status == IdeaStatus.DRAFT
    return idea, an, piet


def submit(idea, user):
    return lambda: services.submit_idea(Idea.objects.get(pk=idea.pk), user=user)


def assert_submitted_once(idea, results):
    winners = [r for r in results if isinstance(r, Idea)]
    refused = [r for r in results if isinstance(r, services.IdeaError)]
    assert len(winners) == 1 and len(refused) == len(results) - 1, results
    stored = Idea.objects.get(pk=idea.pk)
    assert stored.status == IdeaStatus.SUBMITTED
    assert stored.submitted_at == winners[0].submitted_at

    receipts = Letter.objects.filter(kind="idea-receipt")
    assert receipts.count() == 1
    receipt = receipts.get()
    assert stored.receipt_id == receipt.pk
    assert receipt.object_id == idea.pk and receipt.sent_at is not None

    # One e-mail carrying the receipt, to each member of Gent once.
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert sorted(message.to) == ["an@gent.be", "piet@gent.be"]
    assert [name for name, _content, _type in message.attachments] == [receipt.filename]

    # History: the draft's records, then the one submission and the receipt linked to it.
    records = list(
        stored.history.order_by("history_id").values_list("status", "submitted_at", "receipt_id")
    )
    after_draft = [r for r in records if r[0] != IdeaStatus.DRAFT]
    assert after_draft == [
        (IdeaStatus.SUBMITTED, winners[0].submitted_at, None),
        (IdeaStatus.SUBMITTED, winners[0].submitted_at, receipt.pk),
    ]


def test_r_dl1_a_double_click_on_submit_of_an_idea_makes_one_receipt(draft):
    idea, an, _piet = draft
    results = run_together(submit(idea, an), submit(idea, an))
    assert_submitted_once(idea, results)


def test_r_dl1_colleagues_clicking_submit_together_make_one_receipt(draft):
    idea, an, piet = draft
    results = run_together(*(submit(idea, (an, piet)[i % 2]) for i in range(CLICKS)))
    assert_submitted_once(idea, results)

"""The one WeasyPrint renderer and the Letter record (cot_portal.letters)."""

import hashlib
import io

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from cot_portal.letters.models import Letter
from cot_portal.letters.rendering import OfflineFetchError, render_pdf, static_path_for_url
from cot_portal.letters.services import issue_letter, send_letter_now
from tests.factories import municipality

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def letter_context(**extra):
    return {
        "addressee": municipality("44021"),
        "letter_date": timezone.now(),
        "reference": "COT-2025-001",
        "paragraphs": ["Wij bevestigen de ontvangst van uw projectidee.", "Met € 1.234,56."],
        **extra,
    }


def test_the_renderer_produces_a_real_pdf_in_dutch():
    pdf = render_pdf("letters/letter.html", letter_context(subject="Ontvangstbewijs"))
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Ontvangstbewijs" in text
    assert "Gent" in text
    assert "Wij bevestigen de ontvangst van uw projectidee." in text
    assert "Met vriendelijke groeten" in text
    assert "COT-2025-001" in text


def test_user_text_in_a_letter_is_escaped_not_executed():
    pdf = render_pdf(
        "letters/letter.html",
        letter_context(subject="Test", paragraphs=['<img src="https://evil.example/x.png">']),
    )
    assert '<img src="https://evil.example/x.png">' in pdf_text(pdf)


def test_the_renderer_never_fetches_from_the_network():
    with pytest.raises(OfflineFetchError):
        static_path_for_url("https://evil.example/logo.png")
    with pytest.raises(OfflineFetchError):
        static_path_for_url("https://letters.cot-portal.invalid/static/../../etc/passwd")
    css = static_path_for_url("https://letters.cot-portal.invalid/static/css/letter.css")
    assert b"@page" in css.read_bytes()
    # A letter that points elsewhere is not rendered half-loaded: it fails.
    with pytest.raises(FatalURLFetchingError, match="evil.example"):
        render_pdf_with_image("https://evil.example/logo.png")


def render_pdf_with_image(src):
    from django.template import engines
    from weasyprint import HTML

    from cot_portal.letters.rendering import BASE_URL, StaticOnlyFetcher

    html = engines["django"].from_string(f'<img src="{src}">').render({})
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()


def test_issuing_a_letter_stores_the_pdf_with_its_hash_and_mails_it_once(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    gent = municipality("44021")
    with django_capture_on_commit_callbacks(execute=True):
        letter = issue_letter(
            kind="test",
            subject="Beslissing over uw aanvraag",
            template_name="letters/letter.html",
            context=letter_context(),
            organisation=gent,
            recipients=["an@gent.be"],
            body="In bijlage vindt u de brief.",
            about=gent,
        )
    letter.refresh_from_db()
    stored = letter.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == letter.sha256
    assert "Beslissing over uw aanvraag" in pdf_text(stored)
    assert letter.about == gent
    assert letter.sent_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["an@gent.be"]
    assert sent.attachments[0][0].endswith(".pdf")
    assert sent.attachments[0][2] == "application/pdf"

    # A retried task or a second worker does not send it again.
    assert send_letter_now(letter.pk) is False
    assert len(mail.outbox) == 1
    assert Letter.history.filter(id=letter.pk).count() >= 2

"""devstack.mail_sink: SMTP in, .eml files on disk, a browsable WSGI view."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from werkzeug.test import Client

from devstack.mail_sink import MailSink, start_mail_sink, wsgi_app

LINK = "http://127.0.0.1:8080/v1/email-verification?token=t0k&lang=en"


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    """A running mail sink on a free port."""
    running = start_mail_sink(tmp_path, port=0)
    yield running
    running.stop()


def send(sink: MailSink, to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send one mail with smtplib, as the app's mailer does."""
    message = EmailMessage()
    message["From"] = "Bazaar <no-reply@bazaar.example>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    env = sink.env()
    with smtplib.SMTP(env["SMTP_HOST"], int(env["SMTP_PORT"]), timeout=5) as smtp:
        smtp.send_message(message)


def test_received_mail_is_stored_and_parsed(sink: MailSink, tmp_path: Path) -> None:
    send(
        sink,
        "Ann <ann@example.com>",
        "Confirm your email",
        f"Hello Ann,\nconfirm: {LINK}.\n",
        html=f'<p><a href="{LINK.replace("&", "&amp;")}">Confirm</a> or https://bazaar.example/help</p>',
    )
    mail = sink.wait_for("ann@example.com", subject_contains="Confirm", timeout=5)
    assert mail.to == ["ann@example.com"] and mail.sender == "Bazaar <no-reply@bazaar.example>"
    assert mail.subject == "Confirm your email"
    assert mail.text == f"Hello Ann,\nconfirm: {LINK}.\n"
    assert mail.links == [LINK, "https://bazaar.example/help"]
    assert [path.stem for path in (tmp_path / "mail").glob("*.eml")] == [mail.id]


def test_messages_are_ordered_and_filtered_by_recipient(sink: MailSink) -> None:
    send(sink, "ann@example.com", "first", "1")
    send(sink, "bob@example.com", "second", "2")
    send(sink, "ANN@example.com", "third", "3")
    assert [mail.subject for mail in sink.messages()] == ["first", "second", "third"]
    assert [mail.subject for mail in sink.messages(to="ann@example.com")] == ["first", "third"]
    assert sink.wait_for("ann@example.com").subject == "third"


def test_wait_for_raises_timeout_without_matching_mail(sink: MailSink) -> None:
    send(sink, "ann@example.com", "Welcome", "hi")
    with pytest.raises(TimeoutError):
        sink.wait_for("ann@example.com", subject_contains="Reset", timeout=0.3)


def test_wsgi_app_lists_and_shows_mail_escaped(sink: MailSink, tmp_path: Path) -> None:
    send(sink, "ann@example.com", "Old", "older mail")
    send(sink, "ann@example.com", "<b>Reset</b> & go", f"Reset: {LINK}\n<script>alert(1)</script>")
    newest = sink.messages()[-1]
    client = Client(wsgi_app(tmp_path))
    index = client.get("/", environ_overrides={"SCRIPT_NAME": "/_dev/mail"})
    assert index.status_code == 200 and index.mimetype == "text/html"
    page = index.get_data(as_text=True)
    assert "&lt;b&gt;Reset&lt;/b&gt; &amp; go" in page and "<b>Reset" not in page
    assert page.index("Reset") < page.index("Old")
    assert f'href="/_dev/mail/{newest.id}"' in page
    detail = client.get(f"/{newest.id}").get_data(as_text=True)
    assert f'<a href="{LINK.replace("&", "&amp;")}">' in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>" not in detail
    assert "From: Bazaar &lt;no-reply@bazaar.example&gt;" in detail
    listing = client.get("/messages.json").json
    assert [record["subject"] for record in listing] == ["<b>Reset</b> & go", "Old"]
    assert listing[0]["links"] == [LINK]
    assert client.get("/../../etc/passwd").status_code == 404
    assert client.get("/00000000000000000000-deadbeef").status_code == 404

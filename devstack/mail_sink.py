"""Mail sink: an SMTP server on 127.0.0.1 (aiosmtpd) that keeps every mail as an .eml file.

Mails land in local_dir/mail/<receive time ns>-<random>.eml (sortable by receive time), with
the SMTP envelope prepended as X-Envelope-From / X-Envelope-To headers. `wsgi_app(local_dir)`
shows them in a browser (the dev server mounts it at /_dev/mail). Start ≈ 0.01 s.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import logging
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from werkzeug.wrappers import Request, Response

from devstack.ports import HOST, free_port

URL = re.compile(r"""https?://[^\s<>"'`]+""")
MAIL_ID = re.compile(r"^[0-9]{19,20}-[0-9a-f]{8}$")


@dataclass(frozen=True)
class StoredMail:
    """One received mail."""

    id: str
    received_at: datetime
    sender: str
    to: list[str]
    subject: str
    text: str
    links: list[str]
    html: str = field(default="", repr=False)


def mail_dir(local_dir: Path) -> Path:
    """The folder the sink stores mails in."""
    return Path(local_dir).resolve() / "mail"


class _StoreHandler:
    """aiosmtpd handler writing each accepted mail to a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the mail with its envelope and accept it."""
        recipients = ", ".join(envelope.rcpt_tos)
        trace = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {recipients}\r\n"
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(trace.encode() + envelope.original_content)
        partial.rename(self.folder / f"{name}.eml")
        return "250 Message accepted for delivery"


def _body(message: EmailMessage, subtype: str) -> str:
    """The text of the message's text/<subtype> body, or ''."""
    part = message.get_body(preferencelist=(subtype,))
    return str(part.get_content()) if part is not None else ""


def _links(text: str, markup: str) -> list[str]:
    """Unique http(s) URLs of the plain text and the HTML hrefs, in order of appearance."""
    found = [url.rstrip(".,;:)]") for url in URL.findall(text)]
    found += [html.unescape(url).rstrip(".,;:)]") for url in URL.findall(markup)]
    return list(dict.fromkeys(found))


def read_mail(path: Path) -> StoredMail:
    """Parse one stored .eml file."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    markup = _body(message, "html")
    text = (_body(message, "plain") or re.sub(r"<[^>]+>", "", markup)).replace("\r\n", "\n")
    recipients = [
        address for _, address in getaddresses([str(message.get("X-Envelope-To", ""))]) if address
    ]
    nanoseconds = int(path.stem.split("-")[0])
    return StoredMail(
        id=path.stem,
        received_at=datetime.fromtimestamp(nanoseconds / 1e9, tz=UTC),
        sender=str(message.get("From", message.get("X-Envelope-From", ""))),
        to=recipients or [address for _, address in getaddresses(message.get_all("To", []))],
        subject=str(message.get("Subject", "")),
        text=text,
        links=_links(text, markup),
        html=markup,
    )


def list_mails(local_dir: Path, to: str | None = None) -> list[StoredMail]:
    """Stored mails, oldest first, optionally only those addressed to `to` (case-insensitive)."""
    folder = mail_dir(local_dir)
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    mails = [read_mail(path) for path in paths]
    if to is not None:
        mails = [mail for mail in mails if to.lower() in (address.lower() for address in mail.to)]
    return mails


@dataclass
class MailSink:
    """A running SMTP mail sink."""

    controller: Controller
    local_dir: Path
    port: int

    def env(self) -> dict[str, str]:
        """Environment variables that point the app's mailer here."""
        return {"SMTP_HOST": HOST, "SMTP_PORT": str(self.port)}

    def messages(self, to: str | None = None) -> list[StoredMail]:
        """Received mails, oldest first, optionally only those to one address."""
        return list_mails(self.local_dir, to)

    def wait_for(
        self,
        to: str,
        subject_contains: str | None = None,
        timeout: float = 10,
        since: datetime | None = None,
    ) -> StoredMail:
        """Wait for the newest mail to `to` (subject containing the text, after since)."""
        deadline = time.monotonic() + timeout
        while True:
            mails = [
                mail
                for mail in self.messages(to)
                if (subject_contains is None or subject_contains in mail.subject)
                and (since is None or mail.received_at >= since)
            ]
            if mails:
                return mails[-1]
            if time.monotonic() >= deadline:
                subjects = [(mail.to, mail.subject) for mail in self.messages()]
                raise TimeoutError(
                    f"no mail to {to} with {subject_contains!r} in {timeout} s; have {subjects}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the SMTP server (stored mails stay)."""
        self.controller.stop()


def start_mail_sink(local_dir: Path, port: int = 2525) -> MailSink:
    """Start the SMTP sink on 127.0.0.1:port (0: any free), storing mails in local_dir/mail."""
    # aiosmtpd logs every recipient address at INFO: keep personal data out of the logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = port or free_port()
    folder = mail_dir(local_dir)
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        _StoreHandler(folder), hostname=HOST, port=port, server_hostname="bazaar-mail-sink"
    )
    controller.start()
    return MailSink(controller, Path(local_dir), port)


# --- Browser view -----------------------------------------------------------------------

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em .8em;text-align:left}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:1em}}</style></head><body>{body}</body></html>"""


def _page(title: str, body: str) -> Response:
    """An HTML response (title is escaped here; body must already be escaped)."""
    return Response(_PAGE.format(title=html.escape(title), body=body), mimetype="text/html")


def _linkify(text: str) -> str:
    """HTML-escape text, turning http(s) URLs into links."""
    pieces, position = [], 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;:)]")
        pieces.append(html.escape(text[position : match.start()]))
        pieces.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        position = match.start() + len(url)
    pieces.append(html.escape(text[position:]))
    return "".join(pieces)


def _index(mails: Iterable[StoredMail], root: str) -> Response:
    """The list of mails, newest first."""
    rows = "".join(
        f"<tr><td>{html.escape(mail.received_at.isoformat(timespec='seconds'))}</td>"
        f"<td>{html.escape(', '.join(mail.to))}</td>"
        f'<td><a href="{html.escape(root)}/{mail.id}">'
        f"{html.escape(mail.subject or '(no subject)')}</a></td></tr>"
        for mail in mails
    )
    table = f"<table><tr><th>Received (UTC)</th><th>To</th><th>Subject</th></tr>{rows}</table>"
    return _page(
        "Local mail",
        f'<h1>Local mail</h1><p><a href="{html.escape(root)}/messages.json">JSON</a></p>{table}',
    )


def _detail(mail: StoredMail, root: str) -> Response:
    """One mail with its links clickable."""
    links = "".join(
        f'<li><a href="{html.escape(url)}">{html.escape(url)}</a></li>' for url in mail.links
    )
    body = (
        f'<p><a href="{html.escape(root)}/">&larr; all mail</a></p>'
        f"<h1>{html.escape(mail.subject)}</h1>"
        f"<p>From: {html.escape(mail.sender)}<br>To: {html.escape(', '.join(mail.to))}<br>"
        f"Received: {html.escape(mail.received_at.isoformat())}</p>"
        f"<h2>Links</h2><ul>{links}</ul><h2>Text</h2><pre>{_linkify(mail.text)}</pre>"
    )
    return _page(mail.subject, body)


def _as_json(mail: StoredMail) -> dict[str, object]:
    """A JSON-ready dict of a mail."""
    record = asdict(mail)
    record["received_at"] = mail.received_at.isoformat()
    return record


def wsgi_app(local_dir: Path) -> Any:
    """WSGI app browsing the sink's mails: /, /<id>, /messages.json (newest first)."""

    @Request.application
    def application(request: Request) -> Response:
        root = request.script_root
        path = request.path.strip("/")
        if path == "":
            return _index(reversed(list_mails(local_dir)), root)
        if path == "messages.json":
            records = [_as_json(mail) for mail in reversed(list_mails(local_dir))]
            return Response(json.dumps(records, indent=2), mimetype="application/json")
        mail_file = mail_dir(local_dir) / f"{path}.eml"
        if MAIL_ID.match(path) and mail_file.is_file():
            return _detail(read_mail(mail_file), root)
        return Response("No such mail", status=404, mimetype="text/plain")

    return application

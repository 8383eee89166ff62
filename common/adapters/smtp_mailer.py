"""SmtpMailer: sends plain-text mail over SMTP (production relay or the local sink)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from common.domain.errors import ServiceUnavailable
from common.domain.notifications import Mail
from common.settings import Settings

SMTP_TIMEOUT_S = 10


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def send(self, mail: Mail) -> None:
        """Send one mail; its Message-ID is derived from the event, so a resend is recognisable."""
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<{mail.dedup_id}@bazaar>"
        message.set_content(mail.text)
        s = self._settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username and s.smtp_password:
                    smtp.login(s.smtp_username, s.smtp_password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise ServiceUnavailable("smtp", error) from error

"""The emails: rendered from Jinja2 templates (text and HTML, HTML escaped by default), sent
through any SMTP server the settings name (Mailpit locally).

A sender keeps its SMTP connection open from one email to the next (``Postman``). A message's
``Message-ID`` derives from its notice: if a sender dies between the SMTP server's
"250 OK" and recording it, the retry carries the same id, which mail clients (and many
servers) use to drop the duplicate.
"""
from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from settings import Settings
from stream_processors.notifications.notices import NoticeKind

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
    trim_blocks=True, keep_trailing_newline=True)

SUBJECTS = {
    NoticeKind.EXAM_ASSIGNED: "You have an exam: {title}",
    NoticeKind.EXAM_REMINDER: "Reminder: {title} opens {opens_at}",
    NoticeKind.RESULTS_PUBLISHED: "Your results for {title} are published",
}
# Exam times are written in UTC with the zone named: the email does not know where its reader
# is (the SPA shows their local time).
_UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Email:
    to: str
    name: str
    subject: str
    text: str
    html: str
    message_id: str


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(_UTC).strftime("%A %d %B %Y, %H:%M UTC")


def render(kind: NoticeKind, *, to: str, name: str, title: str, opens_at: datetime | None,
           closes_at: datetime | None, link: str, profile_link: str,
           message_id: str) -> Email:
    values = {"name": name, "title": title, "opens_at": when(opens_at),
              "closes_at": when(closes_at), "link": link, "profile_link": profile_link}
    # A subject is a header, never HTML: one line, whatever the title holds.
    subject = " ".join(SUBJECTS[kind].format(**values).split())
    return Email(to=to, name=name, subject=subject, message_id=message_id,
                 text=_TEMPLATES.get_template(f"{kind}.txt").render(subject=subject, **values),
                 html=_TEMPLATES.get_template(f"{kind}.html").render(subject=subject,
                                                                      **values))


def message_of(s: Settings, email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = s.mail_from
    message["To"] = formataddr((email.name, email.to))
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class Postman:
    """One SMTP connection, kept open from one email to the next (connecting, greeting,
    STARTTLS and AUTH cost more than an email itself). Blocking: used by one thread at a time.
    A connection idle for a while is checked (NOOP) before it is used; one that failed is
    dropped, so the next email connects again; a fresh one is opened every
    ``MESSAGES_PER_CONNECTION`` emails, as servers limit them."""

    MESSAGES_PER_CONNECTION = 100
    CHECK_AFTER_IDLE_S = 5.0

    def __init__(self, s: Settings, connect=smtplib.SMTP) -> None:
        self.settings, self._connect = s, connect
        self._smtp = None
        self._sent = 0
        self._last_used = 0.0

    def send(self, email: Email) -> None:
        """Hand one email to the SMTP server. Raises ``smtplib.SMTPException`` or ``OSError``
        when it is not accepted."""
        message = message_of(self.settings, email)
        try:
            self._open().send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # only this address was refused: smtplib has reset the connection for more
        except Exception:
            self.close()
            raise
        self._sent += 1
        self._last_used = time.monotonic()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _open(self):
        if self._smtp is not None and (
                self._sent >= self.MESSAGES_PER_CONNECTION or (
                    time.monotonic() - self._last_used > self.CHECK_AFTER_IDLE_S
                    and not self._alive())):
            self.close()
        if self._smtp is None:
            s = self.settings
            smtp = self._connect(s.smtp_host, s.smtp_port, timeout=30)
            try:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_password:
                    smtp.login(s.smtp_user, s.smtp_password)
            except Exception:
                smtp.close()
                raise
            self._smtp, self._sent = smtp, 0
        return self._smtp

    def _alive(self) -> bool:
        try:
            return self._smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False


def permanent(error: Exception) -> bool:
    """A refusal no retry will change: the server refused the address itself (5xx: no such
    mailbox). Anything else (the server away, 4xx, even a 5xx refusal of our credentials,
    which an operator fixes) is tried again later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return False

"""Sending the code mails through the configured SMTP server (aiosmtplib; STARTTLS or TLS)."""

from __future__ import annotations

import logging
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from studio.config.smtp_settings import SmtpSettings

log = logging.getLogger(__name__)


class MailError(Exception):
    """The mail could not be handed to the SMTP server (the message says why, without secrets)."""


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    if not settings.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def build_message(settings: SmtpSettings, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text mail (UTF-8) from the configured sender."""
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name, settings.sender)) if settings.from_name else settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    msg.set_content(text)
    return msg


async def send_mail(settings: SmtpSettings, password: str | None, to: str, subject: str, text: str) -> None:
    """Send one mail.

    Raises:
        MailError: connecting, TLS, login or delivery failed.
    """
    msg = build_message(settings, to, subject, text)
    use_tls = settings.security == "tls"
    start_tls: bool | None = settings.security == "starttls"
    try:
        await aiosmtplib.send(
            msg,
            hostname=settings.host,
            port=settings.port,
            username=settings.username or None,
            password=(password or None) if settings.username else None,
            use_tls=use_tls,
            start_tls=start_tls,
            tls_context=_tls_context(settings) if settings.security != "none" else None,
            timeout=settings.timeout_s,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError, ValueError) as exc:
        log.warning(
            "sending mail failed",
            extra={"smtp_host": settings.host, "smtp_port": settings.port, "error": type(exc).__name__},
        )
        raise MailError(
            f"The SMTP server {settings.host}:{settings.port} did not take the mail: {exc}"
        ) from exc

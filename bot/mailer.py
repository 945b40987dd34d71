"""The digest by e-mail (optional): aiosmtplib with STARTTLS, to the WBS_SMTP_TO addresses."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from bot.scheduler_settings import SchedulerSettings

IMPLICIT_TLS_PORT = 465


def email_enabled(settings: SchedulerSettings) -> bool:
    """Whether a mail server, a sender and at least one recipient are configured."""
    return bool(settings.smtp_host and settings.smtp_from and settings.smtp_recipients)


async def send_text(settings: SchedulerSettings, *, subject: str, text: str) -> None:
    """Send a plain-text message to every configured recipient (raises on SMTP errors)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.smtp_recipients)
    message["Subject"] = subject
    message.set_content(text)
    implicit = settings.smtp_port == IMPLICIT_TLS_PORT
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    await aiosmtplib.send(
        message, hostname=settings.smtp_host, port=settings.smtp_port,
        username=settings.smtp_user or None, password=password, use_tls=implicit,
        start_tls=settings.smtp_starttls and not implicit, timeout=30)

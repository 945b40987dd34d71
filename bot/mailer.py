"""The digest by e-mail (optional): aiosmtplib with STARTTLS, to the WBS_SMTP_TO addresses."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import aiosmtplib
from pydantic import Field, SecretStr

from storage.settings import Section, env_names

log = logging.getLogger(__name__)
IMPLICIT_TLS_PORT = 465


class SmtpSettings(Section):
    """The mail server, the sender and the digest's recipients (`settings.smtp`)."""

    model_config = env_names("WBS_SMTP_")

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: SecretStr | None = None
    sender: str | None = Field(None, validation_alias="WBS_SMTP_FROM")
    to: str = ""  # comma-separated addresses
    starttls: bool = True

    @property
    def recipients(self) -> list[str]:
        """The digest's e-mail addresses (empty: no e-mail)."""
        return [a.strip() for a in self.to.split(",") if a.strip()]

    @property
    def enabled(self) -> bool:
        """Whether a mail server, a sender and at least one recipient are configured."""
        return bool(self.host and self.sender and self.recipients)


async def send_text(settings: SmtpSettings, *, subject: str, text: str) -> None:
    """Send a plain-text message to every configured recipient (raises on SMTP errors)."""
    message = EmailMessage()
    message["From"] = settings.sender or ""
    message["To"] = ", ".join(settings.recipients)
    message["Subject"] = subject
    message.set_content(text)
    implicit = settings.port == IMPLICIT_TLS_PORT
    password = settings.password.get_secret_value() if settings.password else None
    await aiosmtplib.send(
        message, hostname=settings.host, port=settings.port,
        username=settings.user or None, password=password, use_tls=implicit,
        start_tls=settings.starttls and not implicit, timeout=30)


def mailer(settings: SmtpSettings) -> Callable[[str, str], Awaitable[bool]] | None:
    """`send(subject, text) -> sent?` for the digest jobs, or None when e-mail is not configured.
    A failure is logged by its type only (an SMTP error can quote addresses) and never raised."""
    if not settings.enabled:
        return None

    async def send(subject: str, text: str) -> bool:
        try:
            await send_text(settings, subject=subject, text=text)
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("e-mail not sent: %s", type(exc).__name__)
            return False
        return True

    return send

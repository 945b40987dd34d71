"""Settings of the officer side (env prefix WBS_), mixed into `bot.settings.Settings`."""

from __future__ import annotations

from pydantic_settings import BaseSettings


class OfficerSettings(BaseSettings):
    """Where officers work tickets and how fast they must acknowledge them."""

    # The private forum supergroup of the UPG/TPG (a topic per ticket); unset: no team channel.
    officers_chat_id: int | None = None
    # Where conflict-of-interest tickets go instead (e.g. the Inspektorat); never the team chat.
    escalation_chat_id: int | None = None
    # LAPOR! acknowledgement SLA in working days (hari kerja), shown in each topic header.
    ack_sla_days: int = 3
    # Statuses the reporter is not told about (values from handlers/statuses.py), e.g.
    # WBS_QUIET_STATUSES='["diverifikasi"]'.
    quiet_statuses: list[str] = []
    # Seconds between checks for reporter messages that could not be delivered.
    officers_failure_check_seconds: float = 30.0
    # At most this many tickets per /tiket or /cari answer.
    officers_max_results: int = 30

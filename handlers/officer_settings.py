"""Settings of the officer side (`settings.officers`)."""

from __future__ import annotations

import json

from pydantic import Field, field_validator

from storage.settings import Section, env_names


class OfficerSettings(Section):
    """Where officers work tickets and how fast they must acknowledge them."""

    model_config = env_names("WBS_OFFICERS_")

    # The private forum supergroup of the team (a topic per ticket); unset: no team channel.
    chat_id: int | None = None
    # Where conflict-of-interest tickets go instead (e.g. the Inspektorat); never the team chat.
    escalation_chat_id: int | None = Field(None, validation_alias="WBS_ESCALATION_CHAT_ID")
    # The escalation desk's name as reporters read it ("Petugas Inspektorat Jenderal"): every
    # message about a conflict-of-interest ticket names this desk, never the team.
    escalation_desk_name: str = Field("Inspektorat Jenderal", validation_alias="WBS_ESCALATION_DESK_NAME")
    # LAPOR! acknowledgement SLA in working days (hari kerja), shown in each topic header.
    ack_sla_days: int = Field(3, validation_alias="WBS_ACK_SLA_DAYS")
    # Statuses the reporter is not told about (values from handlers/statuses.py), as a JSON list
    # or comma-separated: WBS_QUIET_STATUSES='["diverifikasi"]' or WBS_QUIET_STATUSES=diverifikasi.
    quiet_statuses: tuple[str, ...] = Field((), validation_alias="WBS_QUIET_STATUSES")
    # Seconds between checks for reporter messages that could not be delivered.
    failure_check_seconds: float = 30.0
    # At most this many tickets per /tiket or /cari answer.
    max_results: int = 30

    @field_validator("quiet_statuses", mode="before")
    @classmethod
    def _list_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",")]
        return value

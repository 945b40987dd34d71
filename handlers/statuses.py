"""Ticket statuses of the UPG/TPG workflow and whether the reporter is told about them."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a ticket stands; the value is stored, the label lives in `ticket.status.<value>`."""

    RECEIVED = "diterima"
    VERIFYING = "diverifikasi"
    NEEDS_INFO = "perlu_dilengkapi"
    IN_PROGRESS = "ditindaklanjuti"
    FORWARDED_UPG = "diteruskan_upg"
    FORWARDED_KPK = "diteruskan_kpk"
    FORWARDED_INSPEKTORAT = "diteruskan_inspektorat"
    FORWARDED_APIP = "diteruskan_apip"
    DONE = "selesai"
    REJECTED = "tidak_dapat_ditindaklanjuti"


REPORTER_SEES = {
    Status.RECEIVED: True,
    Status.VERIFYING: True,
    Status.NEEDS_INFO: True,
    Status.IN_PROGRESS: True,
    Status.FORWARDED_UPG: True,
    Status.FORWARDED_KPK: True,
    Status.FORWARDED_INSPEKTORAT: True,
    Status.FORWARDED_APIP: True,
    Status.DONE: True,
    Status.REJECTED: True,
}
CLOSED = frozenset({Status.DONE, Status.REJECTED})


def status_key(status: str) -> str:
    """The msgid of a status label."""
    return f"ticket.status.{Status(status).value}"

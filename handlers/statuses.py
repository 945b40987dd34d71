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
_FORWARDS = (Status.FORWARDED_UPG, Status.FORWARDED_KPK, Status.FORWARDED_INSPEKTORAT,
             Status.FORWARDED_APIP)
# where a ticket can sensibly go next, grouped for the status menu (work, forward, close);
# `/status <word>` still sets any status (corrections), the menu offers only these
NEXT: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.VERIFYING, Status.NEEDS_INFO, Status.IN_PROGRESS, *_FORWARDS,
                      Status.REJECTED),
    Status.VERIFYING: (Status.NEEDS_INFO, Status.IN_PROGRESS, *_FORWARDS, Status.DONE,
                       Status.REJECTED),
    Status.NEEDS_INFO: (Status.VERIFYING, Status.IN_PROGRESS, Status.REJECTED),
    Status.IN_PROGRESS: (Status.NEEDS_INFO, *_FORWARDS, Status.DONE, Status.REJECTED),
    Status.FORWARDED_UPG: (Status.IN_PROGRESS, Status.FORWARDED_KPK, Status.DONE),
    Status.FORWARDED_KPK: (Status.IN_PROGRESS, Status.DONE),
    Status.FORWARDED_INSPEKTORAT: (Status.IN_PROGRESS, Status.DONE),
    Status.FORWARDED_APIP: (Status.IN_PROGRESS, Status.DONE),
    Status.DONE: (Status.IN_PROGRESS,),  # reopened
    Status.REJECTED: (Status.VERIFYING,),  # reopened
}


def next_statuses(status: str) -> tuple[Status, ...]:
    """The statuses the menu offers from `status` (never `status` itself)."""
    return tuple(s for s in NEXT[Status(status)] if s != status)


def status_key(status: str) -> str:
    """The msgid of a status label."""
    return f"ticket.status.{Status(status).value}"

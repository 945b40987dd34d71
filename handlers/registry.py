"""Every flow the bot offers; the composition root hands this list to the engine."""

from __future__ import annotations

from handlers.complaint import COMPLAINT
from handlers.engine.flow import Flow
from handlers.gift import GIFT, GIFT_CHECK
from handlers.status import FOLLOWUP, STATUS, TICKET


def all_flows() -> list[Flow]:
    """The flows, in menu order where they appear in the menu."""
    return [COMPLAINT, GIFT_CHECK, GIFT, STATUS, TICKET, FOLLOWUP]

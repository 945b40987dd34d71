"""The scheduler's side of the gift reporter's own reminder (see `handlers.gift_reminder`):
queue each due reminder once, to the reporter's chat, while their gift report is a draft."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Services
from handlers.engine.vocabulary import Nav
from handlers.gift_reminder import PUSH_CHANNELS
from handlers.i18n import long_date, t
from storage import outbox
from storage.reminders import (
    DueReminder,
    drop_stale_gift_reminders,
    due_gift_reminders,
    mark_gift_reminder_sent,
)

log = logging.getLogger(__name__)
PURPOSE = "gift.reminder"
#: The conversation is still in the gift report while its flow is one of these.
GIFT_FLOWS = ("gift",)


def reminder_payload(reminder: DueReminder) -> dict[str, object]:
    """The message: the deadline and how to continue, nothing from the report."""
    lang = reminder.lang
    text = t(lang, "gift.reminder.text", due=long_date(reminder.deadline, lang, weekday=True))
    # [id, label]: the shape both the Telegram and the WhatsApp outbox readers take
    return {"text": text, "lang": lang, "options": [[Nav.RESUME.value, t(lang, "common.nav.resume")]]}


async def send_gift_reminders(services: Services, *, limit: int = 200) -> int:
    """Queue every due reminder whose draft is still open; drop stale rows; returns how many."""
    now = services.clock()
    ring = services.ring

    async def effect(session: AsyncSession) -> int:
        count = 0
        for reminder in await due_gift_reminders(session=session, ring=ring, now=now,
                                                 flows=GIFT_FLOWS, limit=limit):
            if not await mark_gift_reminder_sent(session=session, digest=reminder.digest, now=now):
                continue
            if reminder.channel not in PUSH_CHANNELS:
                continue
            await outbox.enqueue(session=session, ring=ring, channel=reminder.channel,
                                 handle=reminder.handle, purpose=PURPOSE, now=now,
                                 payload=reminder_payload(reminder))
            count += 1
        await drop_stale_gift_reminders(session=session, flows=GIFT_FLOWS)
        return count

    sent = await services.db.write(effect)
    if sent:
        log.info("gift reminders queued: %d", sent)
        services.poke_outbox()
    return sent

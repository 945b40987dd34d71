"""Limits on new reports: per sender (by a keyed hash of the conversation's digest, never a
platform id) per 24 hours, and for all senders together per hour. A reporter over a limit is
told before typing a report (the flow's `gate`) and again at submit, where the draft is kept;
officers get one content-free notice per hour while the overall limit holds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Turn
from handlers.i18n import t
from handlers.jobs import NOTICE_CHANNEL, TEAM
from storage import outbox, throttles
from storage.crypto import handle_digest

SENDER_WINDOW = timedelta(days=1)
HOUR = timedelta(hours=1)
SENDER_LIMITED = "limit.sender"
GLOBAL_LIMITED = "limit.global"
NOTICE_PURPOSE = "abuse.global_limit"


def sender_key(turn: Turn) -> str:
    """The counter key of this sender's new reports (its own namespace in the throttle table)."""
    return handle_digest(turn.ring, "report-limit", turn.conv.digest)


async def report_gate(turn: Turn) -> str | None:
    """None when the reporter may file a new report now, else the msgid saying why not."""
    cfg = turn.settings.conversations
    key, now = sender_key(turn), turn.now

    async def counts(s: AsyncSession) -> tuple[int, int]:
        mine = await throttles.window_count(session=s, digest=key, now=now)
        return mine, await throttles.reports_since(session=s, since=now - HOUR)

    mine, recent = await turn.read(counts)
    if cfg.reports_per_sender_per_day and mine >= cfg.reports_per_sender_per_day:
        return SENDER_LIMITED
    if cfg.reports_per_hour and recent >= cfg.reports_per_hour:
        _notify_officers(turn)
        return GLOBAL_LIMITED
    return None


def count_report(turn: Turn) -> None:
    """Count a filed report against its sender's daily limit (with the turn's commit)."""
    key, now = sender_key(turn), turn.now

    async def effect(session: AsyncSession) -> None:
        await throttles.count_in_window(session=session, digest=key, now=now, window=SENDER_WINDOW)

    turn.write(effect)


def _notify_officers(turn: Turn) -> None:
    """Queue the team's notice that the overall limit holds, at most once an hour."""
    ring, now = turn.ring, turn.now
    flag = handle_digest(ring, "report-limit", "global-notice")
    text = t(turn.settings.office.default_language, "officer.notice.global_limit",
             limit=turn.settings.conversations.reports_per_hour)

    async def effect(session: AsyncSession) -> None:
        if await throttles.claim_once(session=session, digest=flag, now=now, every=HOUR):
            await outbox.enqueue(session=session, ring=ring, channel=NOTICE_CHANNEL, handle=TEAM,
                                 purpose=NOTICE_PURPOSE, payload={"text": text}, now=now)

    turn.write(effect)

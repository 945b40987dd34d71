"""The scheduler's jobs: digests, SLA reminders and retention. Each job reads the clock from
`services.clock`, so tests drive time by hand; each is safe to run on several workers at once
(unique digest periods and reminder keys), although the lease lets only one run them."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest import DigestView, render_digest, render_indicators, render_reminder
from handlers.engine.context import Services
from handlers.engine.observe import JobMetrics, Mail
from handlers.gift_clock import load_calendar
from handlers.gift_reminders import send_gift_reminders
from handlers.i18n import t
from handlers.reporter_notices import desk_name
from handlers.sla import Deadline, Level, SlaPolicy, breach_cutoff, local_day
from handlers.workdays import WorkCalendar
from storage import audit, digests, outbox, retention, telegram_chats
from storage.conversations import expire_drafts

log = logging.getLogger(__name__)

#: The outbox channel of scheduled notices; `bot.channels.telegram.officers.notices` delivers it into
#: the officers' chat (handle "team") or the escalation chat (handle "escalation").
NOTICE_CHANNEL = "team_notice"
TEAM = "team"
ESCALATION = "escalation"
DIGEST_PURPOSE = "digest"
REMINDER_PURPOSE = "sla.reminder"
ESCALATION_PURPOSE = "sla.escalation"
WEEK = timedelta(days=7)
_FALLBACK_WINDOW = {"daily": timedelta(days=1), "weekly": WEEK, "manual": timedelta(days=1)}


@dataclass(frozen=True, slots=True)
class Digest:
    """A rendered digest and the period it covers."""

    period_key: str
    kind: str
    window_start: datetime
    window_end: datetime
    texts: dict[str, str]  # audience (team / escalation) -> text

    @property
    def text(self) -> str:
        """The team's digest."""
        return self.texts[TEAM]


class Jobs:
    """What the scheduler runs; every method takes its time from the services' clock."""

    def __init__(self, services: Services, *, metrics: JobMetrics | None = None,
                 mail: Mail | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.metrics = metrics
        self.mail = mail

    @property
    def policy(self) -> SlaPolicy:
        """The SLA numbers from settings (ack and KPK come from `handlers.law`)."""
        return SlaPolicy(feedback_working_days=self.settings.sla.feedback_working_days,
                         escalation_margin=self.settings.sla.escalation_margin_working_days)

    async def _view(self, now: datetime) -> DigestView:
        calendar: WorkCalendar = await self.services.db.read(
            lambda s: load_calendar(session=s, settings=self.settings))
        return DigestView(lang=self.settings.office.default_language,
                          today=local_day(now, self.settings.office.tz), tz=self.settings.office.tz,
                          calendar=calendar, policy=self.policy, team=self.settings.office.team_name)

    def _cutoffs(self, view: DigestView, margin: int = 0) -> dict[str, datetime]:
        return {d.value: breach_cutoff(view.policy, d, view.today, calendar=view.calendar,
                                       margin=margin, tz=view.tz) for d in Deadline}

    def audiences(self) -> dict[str, bool]:
        """Who gets a digest -> whether it covers conflict-of-interest tickets (only the
        escalation chat sees those, and only when one is configured)."""
        if self.settings.officers.escalation_chat_id is None:
            return {TEAM: False}
        return {TEAM: False, ESCALATION: True}

    async def build_digest(self, kind: str, *, window_end: datetime, period_key: str) -> Digest:
        """Render the digest of `kind` whose new-ticket window ends at `window_end`."""
        view = await self._view(self.services.clock())
        previous = await self.services.db.read(
            lambda s: digests.last_window_end(session=s, kind="weekly" if kind == "weekly" else "daily"))
        start = previous if previous and previous < window_end else window_end - _FALLBACK_WINDOW[kind]
        texts = {audience: await self._render(kind, view, start, window_end, conflict)
                 for audience, conflict in self.audiences().items()}
        return Digest(period_key, kind, start, window_end, texts)

    async def _render(self, kind: str, view: DigestView, start: datetime, end: datetime,
                      conflict: bool) -> str:
        # the escalation chat's digest is titled with its own desk, never the team's
        view = replace(view, team=desk_name(self.settings, escalated=conflict))
        facts = await self.services.db.read(lambda s: digests.digest_facts(
            session=s, window_start=start, window_end=end, cutoffs=self._cutoffs(view),
            conflict_of_interest=conflict))
        parts = [render_digest(facts, kind=kind, view=view, since=start)]
        if kind == "weekly":
            ind = await self.services.db.read(lambda s: digests.indicators(
                session=s, since=end - WEEK, until=end, conflict_of_interest=conflict))
            parts.append(render_indicators(ind, view=view, since=local_day(end - WEEK, view.tz),
                                           until=local_day(end, view.tz)))
        parts.append(t(view.lang, "digest.footer"))
        return "\n\n".join(parts)

    async def send_digest(self, digest: Digest) -> bool:
        """Record the period and queue the digest for the team, once; False if already sent."""
        now = self.services.clock()
        svc = self.services

        async def effect(session: AsyncSession) -> bool:
            claimed = await digests.record_digest(
                session=session, period_key=digest.period_key, kind=digest.kind,
                window_start=digest.window_start, window_end=digest.window_end, now=now)
            for audience, text in digest.texts.items() if claimed else ():
                await outbox.enqueue(session=session, ring=svc.ring, channel=NOTICE_CHANNEL,
                                     handle=audience, purpose=DIGEST_PURPOSE, now=now,
                                     payload={"text": text, "kind": digest.kind,
                                              "period": digest.period_key})
            return claimed

        sent = await svc.db.write(effect)
        if self.metrics is not None:
            self.metrics.digest_run(digest.kind, "sent" if sent else "already_sent")
        if sent:
            log.info("digest %s queued", digest.period_key)
            svc.poke_outbox()
            await self.email(digest)
        return sent

    async def email(self, digest: Digest) -> bool:
        """E-mail the digest when e-mail is configured; a failure is logged, never raised."""
        if self.mail is None:
            return False
        if not await self.mail(digest.text.splitlines()[0], digest.text):
            log.warning("digest %s not e-mailed", digest.period_key)
            return False
        now = self.services.clock()
        await self.services.db.write(
            lambda s: digests.mark_emailed(session=s, period_key=digest.period_key, now=now))
        return True

    async def digest_for_period(self, kind: str, fire: datetime) -> bool:
        """Send the scheduled digest of the period that started at `fire`, unless it was sent."""
        if kind == "daily" and not (await self._view(fire)).working_day:
            return False  # digests come on working mornings only
        key = period_key(kind, fire, self.settings.office.tz)
        if await self.services.db.read(lambda s: digests.is_recorded(session=s, period_key=key)):
            return False
        return await self.send_digest(await self.build_digest(kind, window_end=fire, period_key=key))

    async def digest_now(self) -> Digest:
        """A digest outside the schedule (`wbs digest --now`): counts up to this moment."""
        now = self.services.clock()
        digest = await self.build_digest("manual", window_end=now,
                                         period_key=period_key("manual", now, self.settings.office.tz))
        await self.send_digest(digest)
        return digest

    async def sla_round(self, *, limit: int = 200) -> Counter[str]:
        """Remind the team once per ticket and deadline crossed; escalate late breaches."""
        now = self.services.clock()
        view = await self._view(now)
        rounds = [(Level.DUE, 0)]
        if ESCALATION in self.audiences():
            rounds.append((Level.ESCALATED, view.policy.escalation_margin))
        sent: Counter[str] = Counter()
        for level, margin in rounds:
            for deadline, cutoff in self._cutoffs(view, margin).items():
                lines = await self._crossing(deadline, level, cutoff, limit)
                if lines:
                    sent[f"{deadline}.{level}"] = await self._remind(lines, Deadline(deadline),
                                                                     level, view, now)
        if sent:
            self.services.poke_outbox()
        return sent

    async def _crossing(self, deadline: str, level: str, cutoff: datetime,
                        limit: int) -> list[digests.TicketLine]:
        """Late tickets not yet reminded of this deadline at this level."""
        return await self.services.db.read(lambda s: digests.crossing(
            session=s, deadline=deadline, level=level, cutoff=cutoff, limit=limit))

    async def _remind(self, lines: list[digests.TicketLine], deadline: Deadline, level: str,
                      view: DigestView, now: datetime) -> int:
        ring = self.services.ring
        escalated = level == Level.ESCALATED
        purpose = ESCALATION_PURPOSE if escalated else REMINDER_PURPOSE
        handle = ESCALATION if escalated else TEAM

        async def effect(session: AsyncSession) -> int:
            count = 0
            for line in lines:
                if not await digests.record_reminder(session=session, ticket_id=line.id,
                                                     deadline=deadline.value, level=level, now=now):
                    continue
                payload: dict[str, Any] = {
                    "text": render_reminder(line, deadline=deadline, level=level, view=view),
                    "ticket_id": line.id, "code": line.code, "deadline": deadline.value,
                    "level": level}
                await outbox.enqueue(session=session, ring=ring, channel=NOTICE_CHANNEL, handle=handle,
                                     purpose=purpose, payload=payload, now=now, ticket_id=line.id)
                count += 1
            return count

        return await self.services.db.write(effect)

    async def gift_reminders(self) -> int:
        """Remind gift reporters who asked for it that their report is still a draft."""
        return await send_gift_reminders(self.services)

    async def retention_round(self, *, batch: int = 500) -> Counter[str]:
        """Purge old closed tickets, abandoned drafts and finished inbox/outbox rows; audit counts."""
        now = self.services.clock()
        cfg = self.settings
        total: Counter[str] = Counter()
        while True:
            counts = await self.services.db.write(lambda s: _purge_tickets(
                s, closed_before=now - timedelta(days=cfg.retention.days), limit=batch, now=now))
            total += counts
            if counts["ticket"] < batch:
                break

        async def housekeeping(session: AsyncSession) -> Counter[str]:
            counts = Counter({
                "drafts": await expire_drafts(session=session, now=now),
                "inbox": await retention.prune_inbox(
                    session=session, processed_before=now - timedelta(days=cfg.retention.inbox_grace_days)),
                "outbox": await retention.prune_outbox(
                    session=session, finished_before=now - timedelta(days=cfg.retention.outbox_grace_days)),
                "telegram_messages": await telegram_chats.prune_messages(session=session, now=now),
            })
            counts["orphans"] = await retention.prune_orphans(session=session)
            for action, key in (("retention.drafts", "drafts"), ("retention.inbox", "inbox"),
                                ("retention.outbox", "outbox")):
                if counts[key]:
                    await audit.record(session=session, actor="system", action=action,
                                       details={"rows": counts[key]}, now=now)
            return counts

        total += await self.services.db.write(housekeeping)
        log.info("retention: %s", dict(+total) or "nothing to purge")
        return +total


async def _purge_tickets(session: AsyncSession, *, closed_before: datetime, limit: int,
                         now: datetime) -> Counter[str]:
    counts = await retention.purge_closed_tickets(session=session, closed_before=closed_before,
                                                  limit=limit)
    if counts["ticket"]:
        await audit.record(session=session, actor="system", action="retention.tickets",
                           details=dict(sorted(counts.items())), now=now)
    return counts


def period_key(kind: str, fire: datetime, tz: Any) -> str:
    """The unique name of a digest period, e.g. "daily:2026-11-23T07:30+07:00"."""
    return f"{kind}:{fire.astimezone(tz).isoformat(timespec='minutes')}"


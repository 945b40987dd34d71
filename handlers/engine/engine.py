"""The conversation engine: one turn = load state, run the step, save state and effects in
one commit, return the replies. It knows flows only through the `Flow` vocabulary."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import i18n
from handlers.engine import prompts
from handlers.engine.cache import ConversationCache
from handlers.engine.commands import Action, Command, understood
from handlers.engine.context import FlowContext, Services, Turn
from handlers.engine.flow import Flow, Outcome
from handlers.engine.leaks import find_leaks
from handlers.engine.locks import KeyedLocks
from handlers.engine.observe import NoMetrics, TurnMetrics
from handlers.engine.types import Inbound, Option, Outbound, outbound_from_dict, outbound_to_dict
from handlers.engine.vocabulary import Nav, Prefix
from handlers.races import lost_race, pause_before_retry
from storage.conversations import (
    ConversationState,
    load_conversation,
    save_conversation,
)
from storage.crypto import handle_digest
from storage.drafts import drop_draft_files
from storage.inbox import mark_processed, record_replies, stored_replies

log = logging.getLogger(__name__)

# Another worker may win the race for a conversation; each lost race re-runs the turn.
TURN_ATTEMPTS = 8
CONFIRM = "__confirm"
EDIT = "__edit"
BACK_WORDS = {"kembali", "back", "mundur"}
SKIP_WORDS = {"lewati", "skip", "lewat", "tidak ada", "-"}


class Engine:
    """Runs every flow on every channel."""

    def __init__(self, services: Services, flows: Sequence[Flow], *,
                 metrics: TurnMetrics | None = None) -> None:
        self.services = services
        self.metrics: TurnMetrics = metrics or NoMetrics()
        self.flows = {f.name: f for f in flows}
        self.locks = KeyedLocks()
        self.cache = ConversationCache(services.settings.conversations.cache_size)
        self._commands = understood()
        self._keywords = {k: f.name for f in flows for k in f.keywords}

    def digest(self, inbound: Inbound) -> str:
        """The HMAC under which this sender's conversation is kept."""
        return handle_digest(self.services.ring, inbound.channel, inbound.handle)

    async def handle(self, inbound: Inbound, *, inbox_id: str | None = None) -> list[Outbound]:
        """Handle one input and return the replies for the sender.

        With `inbox_id` the replies are kept (sealed) with that inbox row until the channel has
        sent them and marks the row processed (storage.inbox.mark_processed); handling the same
        update again, after a crash in between, returns the same replies and changes nothing."""
        digest = self.digest(inbound)
        started = time.perf_counter()
        async with self.locks.hold(digest):
            for attempt in range(TURN_ATTEMPTS):
                try:
                    replies = await self._turn(inbound, digest, inbox_id)
                except Exception as exc:
                    # the conversation changed under us, or a deadlock / serialization failure
                    if not lost_race(exc) or attempt + 1 == TURN_ATTEMPTS:
                        raise
                    log.info("turn lost a race with another worker (%s); retrying it",
                             type(exc).__name__)
                    self.metrics.turn_retried(inbound.channel)
                    await pause_before_retry(attempt)
                    continue
                self.metrics.turn(inbound.channel, time.perf_counter() - started)
                return replies
            raise RuntimeError("conversation kept changing under us")

    async def _turn(self, inbound: Inbound, digest: str, inbox_id: str | None) -> list[Outbound]:
        svc = self.services
        now = svc.clock()
        conv = self.cache.get(digest) or await svc.db.read(
            lambda s: load_conversation(session=s, ring=svc.ring, digest=digest))
        if inbox_id is not None and conv is not None and conv.last_inbox == inbox_id:
            # this update was handled before a crash but its answers may not have gone out
            stored = await svc.db.read(lambda s: stored_replies(session=s, ring=svc.ring,
                                                                inbox_id=inbox_id))
            return [outbound_from_dict(r) for r in stored or ()]
        if conv is None:
            default = svc.settings.office.default_language
            conv = ConversationState(digest=digest, channel=inbound.channel,
                                     lang=i18n.normalise_language(inbound.language_hint, default))
        turn = Turn(svc, conv, inbound, now)
        answered = (conv.flow, conv.step)
        try:
            replies = await self._route(turn)
        except Exception as exc:
            if lost_race(exc):  # the whole turn runs again (see `handle`)
                raise
            log.exception("turn failed in flow=%s step=%s", conv.flow, conv.step)
            self.cache.drop(digest)
            self.metrics.turn_failed(inbound.channel)
            if inbox_id is not None:
                await svc.db.write(lambda s: mark_processed(session=s, inbox_id=inbox_id, now=now))
            return [Outbound(i18n.t(conv.lang, "common.error.internal"))]
        conv.last_inbound_at = now
        conv.last_inbox = inbox_id
        conv.expires_at = await self._expiry(turn)
        try:
            await svc.db.write(lambda s: self._commit(s, turn, inbox_id, replies))
        except BaseException:
            self.cache.drop(digest)
            raise
        conv.version += 1
        self.cache.put(conv)
        if turn.effects:
            svc.poke_outbox()
        self.metrics.step(*answered)
        log.debug("turn done channel=%s flow=%s step=%s", inbound.channel, conv.flow, conv.step)
        return replies

    async def _expiry(self, turn: Turn) -> datetime | None:
        """When the current draft expires (None outside a flow); see `Flow.draft_until`."""
        if not turn.conv.flow:
            return None
        usual = turn.now + timedelta(hours=self.services.settings.conversations.draft_ttl_hours)
        flow = self.flows.get(turn.conv.flow)
        if flow is None or flow.draft_ttl_hours is None:
            return usual
        longest = turn.now + timedelta(hours=flow.draft_ttl_hours)
        if flow.draft_until is None:
            return longest
        until = await flow.draft_until(turn)
        return usual if until is None else max(usual, min(until, longest))

    async def _commit(self, session: AsyncSession, turn: Turn, inbox_id: str | None,
                      replies: list[Outbound]) -> None:
        # no side effects outside the session: the writer may run this again alone
        await save_conversation(session=session, ring=turn.ring, conv=turn.conv, now=turn.now)
        for effect in turn.effects:
            await effect(session)
        if inbox_id is not None:
            await record_replies(session=session, ring=turn.ring, inbox_id=inbox_id,
                                 replies=[outbound_to_dict(r) for r in replies])

    # -- routing -----------------------------------------------------------------------------

    async def _route(self, turn: Turn) -> list[Outbound]:
        conv, inbound = turn.conv, turn.inbound
        if conv.flow and conv.expires_at and conv.expires_at <= turn.now:
            self._drop_draft(turn)
            return [prompts.menu(turn, self._flow_list(), lead=turn.t("common.draft_expired"))]
        text = (inbound.text or "").strip()
        if text.startswith("/") and not inbound.attachments:
            name = text[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(text) > 1 else ""
            return await self._command(turn, name, text[len(name) + 1 :].strip())
        option = inbound.option or ""
        if (code := Prefix.LANGUAGE.picked(option)) is not None:
            return self._set_language(turn, code)
        if option == Nav.CANCEL:
            return self._cancel(turn)
        if conv.flow is None:
            return await self._at_menu(turn, option, text.lower())
        return await self._in_flow(turn)

    async def _command(self, turn: Turn, name: str, args: str) -> list[Outbound]:
        match self._commands.get(name):
            case Command(action=Action.MENU):
                if turn.conv.flow:
                    return [prompts.in_flow_notice(turn)]
                return [prompts.menu(turn, self._flow_list())]
            case Command(action=Action.CANCEL):
                return self._cancel(turn)
            case Command(action=Action.LANGUAGE):
                return self._set_language(turn, args) if args else [prompts.language_choice(turn)]
            case Command(action=Action.HELP):
                return [Outbound(turn.t("common.help", **prompts.common_params(turn))),
                        *self._current(turn)]
            case Command(action=Action.START, flow=str(flow)) if flow in self.flows:
                if turn.conv.flow:
                    return [prompts.in_flow_notice(turn)]
                return await self._start(turn, flow)
        # unknown, and Action.DELETE where the channel could not delete the chat
        return [Outbound(turn.t("common.error.command")), *self._current(turn)]

    async def _at_menu(self, turn: Turn, option: str, text: str) -> list[Outbound]:
        if option == Nav.LANGUAGE:
            return [prompts.language_choice(turn)]
        if option == Nav.HELP:
            return [Outbound(turn.t("common.help", **prompts.common_params(turn))),
                    prompts.menu(turn, self._flow_list())]
        if (name := Prefix.MENU.picked(option)) and name in self.flows:
            return await self._start(turn, name)
        if text in self._keywords:
            return await self._start(turn, self._keywords[text])
        return [prompts.menu(turn, self._flow_list())]

    def _flow_list(self) -> list[Flow]:
        return list(self.flows.values())

    def _current(self, turn: Turn) -> list[Outbound]:
        """Re-ask whatever the reporter is at (the menu when in no flow)."""
        conv = turn.conv
        flow = self.flows.get(conv.flow or "")
        if flow is None:
            return [prompts.menu(turn, self._flow_list())]
        if conv.step == CONFIRM:
            return [prompts.summary(turn, flow)]
        if conv.step == EDIT:
            return [prompts.edit_choice(turn, flow)]
        step = flow.step(conv.step)
        return [prompts.step_prompt(turn, step)] if step else []

    def _set_language(self, turn: Turn, code: str) -> list[Outbound]:
        lang = i18n.normalise_language(code, "")
        if lang not in i18n.LANGUAGES:
            return [prompts.language_choice(turn)]
        turn.conv.lang = lang
        return [Outbound(turn.t("common.language.set")), *self._current(turn)]

    def _drop_draft(self, turn: Turn) -> None:
        digest = turn.conv.digest
        turn.conv.reset()
        turn.write(lambda s: drop_draft_files(session=s, digest=digest))

    def _cancel(self, turn: Turn) -> list[Outbound]:
        had_draft = turn.conv.flow is not None
        self._drop_draft(turn)
        lead = turn.t("common.cancelled") if had_draft else None
        return [prompts.menu(turn, self._flow_list(), lead=lead)]

    async def _start(self, turn: Turn, name: str, context: FlowContext | None = None,
                     lead: list[Outbound] | None = None) -> list[Outbound]:
        flow = self.flows[name]
        if flow.gate is not None and (refusal := await flow.gate(turn)):
            return [*(lead or []), Outbound(turn.t(refusal)), prompts.menu(turn, self._flow_list())]
        conv = turn.conv
        conv.reset()
        conv.flow, conv.context = name, dict(context or {})
        first = flow.first(conv.draft)
        out = list(lead or [])
        if flow.intro:
            out.append(Outbound(turn.t(flow.intro, **prompts.common_params(turn))))
        if first is None:
            return out + await self._submit(turn, flow)
        conv.step = first.id
        return [*out, prompts.step_prompt(turn, first)]

    # -- inside a flow -------------------------------------------------------------------------

    async def _in_flow(self, turn: Turn) -> list[Outbound]:
        conv, inbound = turn.conv, turn.inbound
        flow = self.flows.get(conv.flow or "")
        if flow is None:  # the flow no longer exists after an upgrade
            self._drop_draft(turn)
            return [prompts.menu(turn, self._flow_list())]
        option, word = inbound.option or "", (inbound.text or "").strip().lower()
        if option == Nav.RESUME:
            return self._current(turn)
        if option == Nav.BACK or word in BACK_WORDS:
            return self._back(turn, flow)
        if conv.step == CONFIRM:
            return await self._confirm(turn, flow, option)
        if conv.step == EDIT:
            return self._pick_edit(turn, flow, option)
        step = flow.step(conv.step)
        if step is None:
            self._drop_draft(turn)
            return [prompts.menu(turn, self._flow_list())]
        pending = turn.context.get("pending_leak")
        if option == Nav.KEEP and pending and pending.get("step") == step.id:
            return await self._accept(turn, flow, step.id, pending["value"])
        if (option == Nav.SKIP or word in SKIP_WORDS) and step.optional and not inbound.attachments:
            return await self._accept(turn, flow, step.id, None)
        parsed = await step.parse(turn, inbound)
        if parsed.error:
            lead = turn.t(parsed.error, **parsed.params)
            return [prompts.step_prompt(turn, step, lead=lead)]
        if not parsed.done:
            conv.draft[step.id] = parsed.value
            note = turn.t(parsed.note or "common.ok", **parsed.params)
            options = prompts.nav_options(turn, step, can_go_back=bool(conv.history))
            return [Outbound(note, tuple(options))]
        if step.leak_check and isinstance(parsed.value, str) and (kinds := find_leaks(parsed.value)):
            turn.context["pending_leak"] = {"step": step.id, "value": parsed.value}
            kinds_text = ", ".join(turn.t(f"common.leak.{k}") for k in kinds)
            return [Outbound(turn.t("common.leak.warning", kinds=kinds_text), (
                Option(Nav.KEEP, turn.t("common.leak.keep")),
                Option(Nav.BACK, turn.t("common.nav.back")),
            ))]
        return await self._accept(turn, flow, step.id, parsed.value)

    async def _accept(self, turn: Turn, flow: Flow, step_id: str, value: Any) -> list[Outbound]:
        conv = turn.conv
        conv.draft[step_id] = value
        turn.context.pop("pending_leak", None)
        if step_id not in conv.history:
            conv.history.append(step_id)
        if turn.context.get("editing"):
            missing = next((s for s in flow.steps
                            if flow.applies(s, conv.draft) and s.id not in conv.draft), None)
            if missing is None:
                turn.context.pop("editing")
                conv.step = CONFIRM
                return [prompts.summary(turn, flow)]
            conv.step = missing.id
            return [prompts.step_prompt(turn, missing)]
        nxt = flow.after(step_id, conv.draft)
        if nxt is not None:
            conv.step = nxt.id
            return [prompts.step_prompt(turn, nxt)]
        if flow.summary:
            conv.step = CONFIRM
            return [prompts.summary(turn, flow)]
        return await self._submit(turn, flow)

    def _back(self, turn: Turn, flow: Flow) -> list[Outbound]:
        conv = turn.conv
        turn.context.pop("pending_leak", None)
        turn.context.pop("editing", None)
        if conv.step in (CONFIRM, EDIT) and conv.history:
            conv.step = conv.history[-1]
        elif conv.history:
            previous = conv.history.pop()
            while conv.history and not flow.applies(flow.step(previous) or flow.steps[0],
                                                    conv.draft):
                previous = conv.history.pop()
            conv.step = previous
        else:
            return [Outbound(turn.t("common.nav.first_step")), *self._current(turn)]
        if conv.history and conv.history[-1] == conv.step:
            conv.history.pop()
        step = flow.step(conv.step)
        return [prompts.step_prompt(turn, step)] if step else self._current(turn)

    async def _confirm(self, turn: Turn, flow: Flow, option: str) -> list[Outbound]:
        if option == Nav.SUBMIT:
            return await self._submit(turn, flow)
        if option == Nav.EDIT:
            turn.conv.step = EDIT
            return [prompts.edit_choice(turn, flow)]
        lead = turn.t("common.error.choice", count=3)
        return [Outbound(lead), prompts.summary(turn, flow)]

    def _pick_edit(self, turn: Turn, flow: Flow, option: str) -> list[Outbound]:
        step = flow.step(Prefix.EDIT.picked(option))
        if step is None:
            return [Outbound(turn.t("common.error.choice", count=len(flow.steps))),
                    prompts.edit_choice(turn, flow)]
        turn.conv.step = step.id
        turn.context["editing"] = True
        return [prompts.step_prompt(turn, step)]

    async def _submit(self, turn: Turn, flow: Flow) -> list[Outbound]:
        for key in [k for k in turn.draft if (s := flow.step(k)) and not flow.applies(s, turn.draft)]:
            del turn.draft[key]  # answers to branches the reporter later left
        if flow.gate is not None and (refusal := await flow.gate(turn)):  # the draft is kept
            again = [prompts.summary(turn, flow)] if flow.summary else []
            return [Outbound(turn.t(refusal)), Outbound(turn.t("common.draft_kept")), *again]
        outcome: Outcome = await flow.on_submit(turn)
        digest = turn.conv.digest
        turn.write(lambda s: drop_draft_files(session=s, digest=digest))
        turn.conv.reset()
        if outcome.next_flow:
            return await self._start(turn, outcome.next_flow, outcome.context, outcome.messages)
        return [*outcome.messages, prompts.menu(turn, self._flow_list())]

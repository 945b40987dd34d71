"""A crash after the engine committed a turn but before the channel sent its answers must not
lose them: the receipt (code + secret) is shown exactly once, even then."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App, build_app
from handlers.engine.types import ChannelKind, Inbound
from storage import inbox
from storage.models import InboxItem, Ticket
from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary
from tests.support.reporter import Reporter


async def stored_update(app: App, external_id: str) -> str:
    """An update accepted into the inbox, as a channel does before acknowledging it."""
    svc = app.services
    inbox_id = (await app.db.write(lambda s: inbox.accept_update(
        session=s, ring=svc.ring, channel="telegram", external_id=external_id, payload=b"{}",
        now=svc.clock()))).inbox_id
    assert inbox_id is not None
    return inbox_id


async def test_replayed_update_returns_the_same_receipt_and_files_nothing_twice(
    app: App, settings, keyring,
):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM)
    await walk_to_summary(r)
    submit = Inbound(ChannelKind.TELEGRAM, r.handle, option="confirm:submit")
    inbox_id = await stored_update(app, "submit-1")
    first = await app.engine.handle(submit, inbox_id=inbox_id)
    await app.close()  # the process dies before the channel sent `first` and marked the row

    restarted = await build_app(settings, ring=keyring, migrate=False)
    try:
        again = await restarted.engine.handle(submit, inbox_id=inbox_id)
        assert [m.text for m in again] == [m.text for m in first]
        r.replies = again
        receipt_of(r)  # code and secret are there
        tickets = await restarted.db.read(lambda s: s.scalar(
            select(func.count()).select_from(Ticket)))
        assert tickets == 1

        now = restarted.services.clock()
        await restarted.db.write(lambda s: inbox.mark_processed(session=s, inbox_id=inbox_id,
                                                                now=now))
        row = await restarted.db.read(lambda s: s.get(InboxItem, inbox_id))
        assert row.processed_at is not None
        assert row.replies is None  # the sealed receipt is gone once delivered
    finally:
        await restarted.close()

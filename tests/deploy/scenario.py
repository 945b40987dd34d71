"""A populated database for deployment tests: filed reports, a draft with a file, an inbox
row and queued team notices, i.e. every kind of ciphertext the bot writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.app import App
from storage.inbox import accept_update
from tests.handlers.test_complaint_flow import CHRONOLOGY, receipt_of, walk_to_summary
from tests.support.reporter import Reporter


@dataclass
class Scenario:
    """What was put in: the codes of filed reports and the reporter left in a draft."""

    codes: list[str] = field(default_factory=list)
    drafting: Reporter | None = None
    handles: list[str] = field(default_factory=list)


async def populate(app: App, *, reports: int = 2) -> Scenario:
    """File `reports` complaints, leave one reporter at the evidence step with a file, and
    store one unprocessed inbox update."""
    done = Scenario()
    for _ in range(reports):
        r = Reporter(app.engine)
        await walk_to_summary(r)
        await r.choose("confirm:submit")
        done.codes.append(receipt_of(r)[0])
        done.handles.append(r.handle)
    r = Reporter(app.engine)
    for step in ("/start", "menu:complaint", "pungli"):
        await (r.say(step) if step.startswith("/") else r.choose(step))
    for text in (CHRONOLOGY, "tidak tahu"):
        await r.say(text)
    await r.choose("tidak")
    await r.choose("yesterday")
    await r.say("Loket 2")
    await r.choose("nav:skip")
    await r.attach("kwitansi.pdf", "application/pdf", b"%PDF-1.4 kwitansi")
    done.drafting = r
    done.handles.append(r.handle)
    svc = app.services
    await svc.db.write(lambda s: accept_update(session=s, ring=svc.ring, channel="telegram",
                                               external_id="4711", payload=b'{"update_id":4711}',
                                               now=svc.clock()))
    return done

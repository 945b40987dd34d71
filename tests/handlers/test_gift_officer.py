"""The UPG exports a gift report with /ekspor and sees the KPK forwarding clock."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bot.app import App
from handlers.gift_export import EXPORT_ACTION
from handlers.officer import handle
from handlers.officer_desk import OfficerAction
from storage import audit, officers
from tests.handlers.test_complaint_flow import walk_to_summary
from tests.handlers.test_gift_export import file_gift
from tests.handlers.test_gift_flow import IDENTITY
from tests.support.reporter import Reporter


async def an_officer(app: App):
    return await app.db.write(lambda s: officers.add_officer(
        session=s, telegram_user_id=5001, role="officer", name="Rina", now=app.services.clock()))


async def test_officer_exports_the_kpk_form_and_the_export_is_audited(app: App, reporter: Reporter):
    code = await file_gift(reporter)
    officer = await an_officer(app)
    result = await handle(app.services, OfficerAction(officer, "team", "ekspor", code))
    (message,) = result.messages
    assert "diekspor untuk diteruskan ke KPK" in message.text
    assert "Teruskan ke KPK paling lambat 10 hari kerja" in message.text
    names = [a.filename for a in message.attachments]
    assert names == [f"{code}.pdf", f"{code}.json", f"{code}.csv"]
    pdf = PdfReader(io.BytesIO(message.attachments[0].data))
    assert IDENTITY["nik"] in "".join(page.extract_text() for page in pdf.pages)
    entries = await app.db.read(lambda s: audit.entries(session=s, ticket_code=code,
                                                         action=EXPORT_ACTION))
    assert [e.actor for e in entries] == [f"officer:{officer.id}"]


async def test_forwarded_status_shows_the_day_it_went_to_kpk(app: App, reporter: Reporter):
    code = await file_gift(reporter)
    officer = await an_officer(app)
    await handle(app.services, OfficerAction(officer, "team", "status", f"{code} kpk"))
    result = await handle(app.services, OfficerAction(officer, "team", "ekspor", code))
    assert "Diteruskan ke KPK pada" in result.messages[0].text


async def test_a_complaint_is_not_exported(app: App, reporter: Reporter):
    await walk_to_summary(reporter)
    await reporter.choose("confirm:submit")
    code = reporter.text.split("Kode Laporan: ")[1].split()[0]
    officer = await an_officer(app)
    result = await handle(app.services, OfficerAction(officer, "team", "ekspor", code))
    assert "bukan laporan gratifikasi" in result.messages[0].text
    assert result.messages[0].attachments == ()

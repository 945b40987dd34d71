"""Officers work tickets in a Telegram forum group; reporters stay anonymous to them."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.channels.telegram.officers.receive import TelegramOfficers
from storage import audit, officers, tickets
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.telegram_fixtures import CHRONOLOGY, LOCATION
from tests.officer.conftest import (
    ESCALATION,
    OFFICER,
    OFFICER_NAME,
    OFFICERS,
    REPORTER,
    STRANGER,
    add_information,
    bot_says,
    file_complaint,
    officer_says,
    texts_in,
    topic_of,
)


async def test_new_report_opens_a_topic_with_a_content_free_header(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)

    assert api.topics[(OFFICERS, thread)]["name"] == f"{code} · Pungli / permintaan imbalan"
    header = await bot_says(api, OFFICERS, code, thread)
    assert "Pungli" in header
    assert "Telegram" in header
    assert "Batas tanggapan awal" in header
    for secret_thing in (CHRONOLOGY, LOCATION, "berkacamata", str(REPORTER)):
        assert all(secret_thing not in text for text in texts_in(api, OFFICERS))


async def test_officer_reply_in_the_topic_reaches_the_reporter_without_name_or_forwarding(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    chat = UserChat(api, REPORTER)
    code, _ = await file_complaint(chat)
    thread = await topic_of(api, code)

    officer_says(api, "Terima kasih, mohon kirim foto kuitansinya.", thread=thread)
    received = await bot_says(api, REPORTER, "mohon kirim foto kuitansinya")
    assert received.startswith("Petugas UPG")
    assert OFFICER_NAME not in received
    assert "Budi" not in received
    await bot_says(api, OFFICERS, "Balasan dikirim ke pelapor", thread)

    photo = api.photo_message(OFFICERS, b"\xff\xd8 kuitansi", caption="Contoh kuitansi",
                              user_id=OFFICER, message_thread_id=thread)
    api.push(photo)
    copies = await api.wait_until(lambda: [c for c in api.calls_to("copyMessage")
                                           if c.params["chat_id"] == REPORTER])
    assert copies[0].params["from_chat_id"] == OFFICERS
    assert "Budi" not in copies[0].params.get("caption", "")
    assert not [c for c in api.calls if c.method == "forwardMessage"]

    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    entries = await app.db.read(lambda s: tickets.thread(session=s, ring=app.services.ring,
                                                         ticket=ticket))
    assert [e.author for e in entries] == ["officer", "officer"]


async def test_reporter_follow_up_lands_in_the_same_topic(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    chat = UserChat(api, REPORTER)
    code, secret = await file_complaint(chat)
    thread = await topic_of(api, code)

    await add_information(chat, code, secret, "Kejadian terulang hari ini di loket yang sama.")

    follow_up = await bot_says(api, OFFICERS, "Kejadian terulang hari ini", thread)
    assert "Pelapor menambahkan informasi" in follow_up


async def test_message_from_a_non_officer_in_the_group_is_ignored(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)
    before_group = len(texts_in(api, OFFICERS))
    before_reporter = len(texts_in(api, REPORTER))

    officer_says(api, "Halo pelapor, saya bukan petugas.", thread=thread, user=STRANGER)
    officer_says(api, "/lihat", thread=thread, user=STRANGER)
    officer_says(api, "/bantuan", thread=thread)  # a real officer afterwards: a marker
    await bot_says(api, OFFICERS, "Perintah petugas", thread)

    assert len(texts_in(api, OFFICERS)) == before_group + 1
    assert len(texts_in(api, REPORTER)) == before_reporter
    entries = await app.db.read(lambda s: audit.entries(session=s))
    assert not [e for e in entries if e.action == "ticket_view"]


async def test_status_change_tells_the_reporter_only_for_statuses_they_see(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    app.settings.officers.quiet_statuses = ["diverifikasi"]
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)
    before = len(texts_in(api, REPORTER))

    officer_says(api, "/status verifikasi", thread=thread)
    await bot_says(api, OFFICERS, "tidak diberitahukan kepada pelapor", thread)
    officer_says(api, "/status", thread=thread)
    await bot_says(api, OFFICERS, "Pilih status baru", thread)
    api.push(api.press(OFFICERS, "Selesai", user_id=OFFICER))
    done = await bot_says(api, REPORTER, "telah selesai ditindaklanjuti")

    assert len(texts_in(api, REPORTER)) == before + 1  # only the visible status
    assert code in done
    assert "Sedang diverifikasi" not in "".join(texts_in(api, REPORTER))
    await api.wait_until(lambda: api.topics[(OFFICERS, thread)]["is_closed"])
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    assert ticket.status == "selesai"
    assert ticket.closed_at is not None


async def test_conflict_of_interest_ticket_goes_to_escalation_and_never_to_the_team(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER), concerns_team=True)
    thread = await topic_of(api, code, ESCALATION)
    await bot_says(api, ESCALATION, "Benturan kepentingan", thread)

    officer_says(api, f"/cari {code}", thread=None)
    await bot_says(api, OFFICERS, "Tidak ada tiket yang cocok")
    officer_says(api, "/tiket", thread=None)
    await bot_says(api, OFFICERS, "Tidak ada tiket terbuka")
    assert not [t for (chat, _), t in api.topics.items() if chat == OFFICERS]
    assert all(code not in text for text in texts_in(api, OFFICERS))


async def test_viewing_a_report_is_audited_and_acknowledged_once(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)

    officer_says(api, "/lihat", thread=thread)
    shown = await bot_says(api, OFFICERS, CHRONOLOGY, thread)
    assert LOCATION in shown
    await bot_says(api, REPORTER, "telah dibuka oleh Petugas UPG")
    officer_says(api, "/lihat", thread=thread)
    await api.wait_until(lambda: len([t for t in texts_in(api, OFFICERS, thread)
                                      if CHRONOLOGY in t]) == 2)

    entries = await app.db.read(lambda s: audit.entries(session=s, ticket_code=code))
    views = [e for e in entries if e.action == "ticket_view"]
    officer = await app.db.read(lambda s: officers.officer_by_telegram_id(
        session=s, telegram_user_id=OFFICER))
    assert len(views) == 2
    assert {e.actor for e in views} == {f"officer:{officer.id}"}
    assert len([t for t in texts_in(api, REPORTER) if "telah dibuka" in t]) == 1
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert verdict.ok, verdict.problems


async def test_deleted_topic_is_recreated_for_the_next_message(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    chat = UserChat(api, REPORTER)
    code, secret = await file_complaint(chat)
    thread = await topic_of(api, code)
    del api.topics[(OFFICERS, thread)]  # an officer deleted the topic

    await add_information(chat, code, secret, "Ada saksi lain yang melihat kejadian ini.")

    new_thread = await topic_of(api, code)
    assert new_thread != thread
    await bot_says(api, OFFICERS, "dibuat ulang", new_thread)
    await bot_says(api, OFFICERS, "Ada saksi lain", new_thread)


async def test_private_officer_commands_work_only_for_officers(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    await topic_of(api, code)

    api.push(api.text_message(OFFICER, f"/lihat {code}"))
    await bot_says(api, OFFICER, CHRONOLOGY)
    api.push(api.text_message(STRANGER, f"/lihat {code}"))
    await api.wait_until(lambda: texts_in(api, STRANGER))  # the citizens' side answered
    assert all(CHRONOLOGY not in text for text in texts_in(api, STRANGER))


async def test_failed_delivery_to_the_reporter_shows_in_the_topic(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    from tests.fakes.bot_api_messages import ApiError  # noqa: PLC0415

    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)
    send = api._handlers["sendMessage"]  # noqa: SLF001 - the reporter blocks the bot

    def blocked(params, files):
        if params["chat_id"] == REPORTER:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return send(params, files)

    api.register("sendMessage", blocked)
    officer_says(api, "Mohon kirim bukti tambahan.", thread=thread)
    await api.wait_until(lambda: [c for c in api.calls if c.status == 403])
    for _ in range(100):  # the outbox sender marks the row failed right after the 403
        if await team.report_failed_deliveries():
            break
        await asyncio.sleep(0.05)
    notice = await bot_says(api, OFFICERS, "tidak dapat dikirim", thread)
    assert "403" in notice
    assert await team.report_failed_deliveries() == 0  # shown once


async def test_in_a_group_without_topics_replies_are_tied_by_the_replied_to_message(
        app: App, api: FakeBotApi, plain_team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    header = await api.wait_until(lambda: next(
        (m for m in api.live_messages(OFFICERS) if code in m.get("text", "")), None))
    assert "message_thread_id" not in header
    assert not api.topics

    officer_says(api, "Pesan lepas tanpa balasan ke tiket.", thread=None)
    officer_says(api, "Mohon datang ke kantor hari Senin.", thread=None, reply_to=header)
    relayed = await bot_says(api, REPORTER, "Mohon datang ke kantor hari Senin")
    assert relayed.startswith("Petugas UPG")
    assert all("Pesan lepas" not in t for t in texts_in(api, REPORTER))

"""`/petugas`: admins manage the officer allow-list from the chat (as `wbs officer` does)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.types import Outbound
from handlers.officer_desk import Desk, DeskResult, OfficerAction, actor
from storage import audit, officers
from storage.models import Officer


async def record_officer_change(session: AsyncSession, *, who: str, action: str,
                                officer: Officer) -> None:
    """Audit an allow-list change (ids and role only)."""
    await audit.record(session=session, actor=who, action=action,
                       details={"officer_id": officer.id, "role": officer.role})


async def manage_officers(desk: Desk, action: OfficerAction) -> DeskResult:
    """/petugas; /petugas tambah <user id> [admin] [nama]; /petugas hapus <user id>."""
    if action.officer.role != "admin":
        return desk.say("officer.admin.only")
    verb, _, rest = action.args.strip().partition(" ")
    svc, now, who = desk.services, desk.now, actor(action.officer)
    if not verb:
        listed = await svc.db.read(lambda s: officers.list_officers(session=s))
        lines = [desk.t("officer.admin.line", name=o.name or "-", role=o.role,
                        user_id=o.telegram_user_id) for o in listed]
        return DeskResult([Outbound("\n".join([desk.t("officer.admin.title"), *lines]))])
    words = rest.split()
    if verb not in {"tambah", "hapus"} or not words or not words[0].isdigit():
        return desk.say("officer.admin.usage")
    user_id = int(words[0])
    if verb == "hapus":
        async def remove(s: AsyncSession) -> Officer | None:
            gone = await officers.remove_officer(session=s, telegram_user_id=user_id, now=now)
            if gone is not None:
                await record_officer_change(s, who=who, action="officer_remove", officer=gone)
            return gone

        gone = await svc.db.write(remove)
        return desk.say("officer.admin.removed" if gone else "officer.admin.not_found")
    role = "admin" if len(words) > 1 and words[1] == "admin" else "officer"
    name = " ".join(words[2:] if role == "admin" else words[1:])

    async def add(s: AsyncSession) -> Officer:
        added = await officers.add_officer(session=s, telegram_user_id=user_id, role=role,
                                           name=name, now=now)
        await record_officer_change(s, who=who, action="officer_add", officer=added)
        return added

    await svc.db.write(add)
    return desk.say("officer.admin.added", role=role)

"""`wbs keys rotate|retire|list`: after rotation every report, draft and queued message is
readable with the new key alone; an old key is retired only once nothing uses it."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import stat
from pathlib import Path

import pytest

from bot.app import App
from bot.cli.main import main
from storage import inbox, outbox, tickets
from storage.conversations import load_conversation
from storage.crypto import Keyring
from storage.drafts import draft_files
from storage.keys_admin import EPHEMERAL, KeyAdminError, key_usage, reencrypt_all, retire, rotate
from tests.deploy.scenario import populate
from tests.support.settings import CHEAP_ARGON2

ROOT = Path(__file__).resolve().parents[2]


def only_active(ring: Keyring) -> Keyring:
    """The same keyring with every older key removed."""
    return dataclasses.replace(ring, keys={ring.active: ring.keys[ring.active]})


async def read_everything(app: App, ring: Keyring, codes: list[str], digest: str) -> dict:
    async def load(session):
        found = {}
        for code in codes:
            ticket = await tickets.find_ticket(session=session, code=code)
            found[code] = await tickets.read_content(session=session, ring=ring, ticket=ticket)
        found["conversation"] = await load_conversation(session=session, ring=ring, digest=digest)
        found["files"] = await draft_files(session=session, ring=ring, digest=digest)
        found["inbox"] = await inbox.unprocessed(session=session, ring=ring, channel="telegram")
        found["outbox"] = await outbox.due_messages(session=session, ring=ring,
                                                    now=app.services.clock(), channels=["team"])
        return found

    return await app.db.read(load)


async def test_rotation_keeps_every_report_readable_and_leaves_nothing_under_the_old_key(
        app: App, tmp_path: Path):
    key_file = tmp_path / "keys" / "wbs.key"
    old = app.services.ring
    old.save(key_file)
    done = await populate(app)
    digest = done.drafting.digest
    before = await read_everything(app, old, done.codes, digest)

    new, result = await rotate(app.db, old, key_file)

    assert result.active == new.active != old.active
    assert result.rewrapped == len(done.codes)
    assert result.resealed >= 6  # conversations, draft name+data, inbox, outbox route+payload
    after = await read_everything(app, only_active(new), done.codes, digest)
    assert [after[c] for c in done.codes] == [before[c] for c in done.codes]
    assert after["conversation"].draft == before["conversation"].draft
    assert [(f.name, f.data) for f in after["files"]] == [("kwitansi.pdf", b"%PDF-1.4 kwitansi")]
    assert [p for _, p in after["inbox"]] == [b'{"update_id":4711}']
    assert len(after["outbox"]) == len(before["outbox"]) >= len(done.codes)
    usage = await app.db.read(lambda s: key_usage(session=s))
    assert usage[old.active] == 0
    assert Keyring.from_json(key_file.read_text()).active == new.active
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


async def test_retire_refuses_while_the_key_is_used_then_removes_it(app: App, tmp_path: Path):
    key_file = tmp_path / "wbs.key"
    old = app.services.ring
    await populate(app, reports=1)
    new = old.rotated()
    new.save(key_file)  # the new key file is in place, nothing re-encrypted yet

    with pytest.raises(KeyAdminError, match=r"still protects \d+ value"):
        await retire(app.db, new, key_file, old.active)
    with pytest.raises(KeyAdminError, match="active key"):
        await retire(app.db, new, key_file, new.active)

    await reencrypt_all(app.db, new)
    kept = await retire(app.db, new, key_file, old.active)

    assert set(kept.keys) == {new.active}
    assert set(Keyring.from_json(key_file.read_text()).keys) == {new.active}


def test_cli_rotate_list_and_retire_on_a_key_file(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.delenv("WBS_MASTER_KEY", raising=False)
    monkeypatch.delenv("WBS_DATABASE_URL", raising=False)
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))
    assert main(["init"]) == 0
    assert main(["keys", "rotate"]) == 0
    assert main(["keys", "retire", "k2"]) == 2
    assert "active key" in capsys.readouterr().err
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^k1: 0 value", listing, re.M)
    assert re.search(r"^k2 \(active\)", listing, re.M)
    assert main(["keys", "retire", "k1"]) == 0
    assert set(Keyring.from_json((tmp_path / "wbs.key").read_text()).keys) == {"k2"}


def test_rotation_with_master_key_from_the_environment_is_refused(tmp_path: Path, monkeypatch,
                                                                  capsys):
    monkeypatch.delenv("WBS_DATABASE_URL", raising=False)
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WBS_MASTER_KEY", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk=")
    assert main(["keys", "rotate"]) == 2
    assert "WBS_MASTER_KEY" in capsys.readouterr().err
    assert not (tmp_path / "wbs.key").exists()


def test_every_ephemeral_column_is_part_of_rotation():
    """A new seal_ephemeral(..., contract=X) anywhere must list X in keys_admin.EPHEMERAL."""
    import importlib  # noqa: PLC0415

    used = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py"),
                 *ROOT.glob("storage/**/*.py")]:
        for name in re.findall(r"\b(?:un)?seal_ephemeral\([^;]{0,200}?contract=(\w+)",
                               path.read_text()):
            if name == "contract":  # the generic helpers themselves
                continue
            module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
            used.add(getattr(module, name))
    assert used, "no seal_ephemeral call found: the scan is broken"
    assert used <= set(EPHEMERAL), used - set(EPHEMERAL)


async def test_rotation_with_the_wrong_key_file_stops_with_a_clear_error(tmp_path: Path,
                                                                        monkeypatch, capsys):
    from bot.app import build_app  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415

    for name in ("WBS_MASTER_KEY", "WBS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings({"WBS_DATA_DIR": str(tmp_path), **CHEAP_ARGON2})
    app = await build_app(settings)
    done = await populate(app, reports=1)
    await app.close()
    Keyring.generate().save(tmp_path / "wbs.key")  # someone restored the wrong key file
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))

    assert await asyncio.to_thread(main, ["keys", "rotate"]) == 2
    err = capsys.readouterr().err
    assert "could not be decrypted" in err
    assert done.codes[0] not in err

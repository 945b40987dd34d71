"""The terminal channel, driven end to end as a subprocess (`wbs chat`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPLAINT_LINES = [
    "Buat pengaduan",  # the label selects, like the number
    "1",  # Pungli
    "Petugas di loket meminta uang tambahan agar berkas cepat diproses.",
    "tidak tahu",
    "Tidak",  # typing the label works as well as the number
    "kemarin",
    "Loket pelayanan paspor",
    "500rb",
    "{evidence}",  # a file path attaches the file
    "Selesai",
    "2",  # not reported elsewhere
    "1",  # Kirim laporan
]


def chat(data_dir: Path, lines: list[str], *, extra_env: dict[str, str] | None = None) -> str:
    """Run `python -m bot chat` with these lines on stdin; return what it printed."""
    env = {**os.environ, "WBS_DATA_DIR": str(data_dir), "WBS_ARGON2_TIME_COST": "1",
           "WBS_ARGON2_MEMORY_KIB": "1024", "WBS_LOG_LEVEL": "WARNING", **(extra_env or {})}
    env.pop("WBS_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "chat"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_terminal_chat_files_a_report_and_a_new_session_checks_it(tmp_path: Path):
    evidence = tmp_path / "kwitansi.pdf"
    evidence.write_bytes(b"%PDF-1.4 kwitansi")
    lines = [line.format(evidence=evidence) for line in COMPLAINT_LINES]
    out = chat(tmp_path / "data", lines)
    assert "Selamat datang" in out
    assert "  1. Buat pengaduan" in out
    assert "Berkas diterima (1)" in out
    code = re.search(r"Kode Laporan: (WBS-\S+)", out).group(1)
    secret = re.search(r"Kata sandi: (\S+)", out).group(1)

    later = chat(tmp_path / "data", ["Cek status laporan", code, secret, "1",
                                     "Saya ingat: loket nomor 3.", "Lewati", "3"])
    assert f"Laporan {code}" in later
    assert "Status: Diterima" in later
    assert "informasi tambahan telah disampaikan" in later
    key_file = tmp_path / "data" / "wbs.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_terminal_chat_ends_cleanly_on_end_of_input(tmp_path: Path):
    out = chat(tmp_path, [])
    assert "Silakan pilih layanan" in out

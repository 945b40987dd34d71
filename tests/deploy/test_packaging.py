"""The deployment files an operator uses: .env.example documents every setting, the compose
file is valid YAML with what a production service needs, the Dockerfile builds a non-root
image with compiled catalogs that runs `wbs run`. (Docker itself is not run here.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.settings import known_variables, load_settings

ROOT = Path(__file__).resolve().parents[2]


def env_names(text: str) -> list[str]:
    """WBS_* names set or shown (commented out) in an env file."""
    return re.findall(r"^#? ?(WBS_[A-Z0-9_]+)=", text, re.M)


def test_env_example_lists_every_setting_once_with_a_comment():
    text = (ROOT / ".env.example").read_text()
    names = env_names(text)
    expected = known_variables()
    assert set(names) == expected, {"missing": expected - set(names),
                                    "unknown": set(names) - expected}
    assert len(names) == len(set(names))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if env_names(line):  # a setting, or a run of settings, sits right under a comment
            above = next(x for x in reversed(lines[:i]) if not env_names(x))
            assert re.match(r"# \S.{8,}", above), line


def test_env_example_holds_no_real_secret():
    text = (ROOT / ".env.example").read_text()
    for name in ("TOKEN", "SECRET", "PASSWORD", "MASTER_KEY"):
        for value in re.findall(rf"^WBS_\w*{name}\w*=(.*)$", text, re.M):
            assert value == "", name


def test_compose_runs_bot_and_postgres_16_with_health_volumes_and_secrets_from_env():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"bot", "postgres"}
    pg, bot = services["postgres"], services["bot"]
    assert pg["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert all(s["restart"] in ("unless-stopped", "always") for s in services.values())
    assert bot["env_file"] == ".env"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["build"] == "."
    assert bot["environment"]["WBS_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "${POSTGRES_PASSWORD" in pg["environment"]["POSTGRES_PASSWORD"]

    mounts = dict(v.split(":", 1) for v in bot["volumes"] + pg["volumes"])
    assert set(mounts) <= set(compose["volumes"])  # named volumes, declared
    key_dir = str(Path(bot["environment"]["WBS_KEY_FILE"]).parent)
    key_volume = next(name for name, where in mounts.items() if where == key_dir)
    assert mounts[key_volume] not in (bot["environment"]["WBS_DATA_DIR"],
                                      "/var/lib/postgresql/data")  # keys apart from the data
    port = bot["environment"]["WBS_LISTEN_PORT"]
    assert any(p.endswith(f":{port}") for p in bot["ports"])
    assert "readyz" in " ".join(bot["healthcheck"]["test"])


def test_dockerfile_builds_a_slim_non_root_image_that_runs_wbs():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages
    assert all(s.startswith("python:3.11-slim") for s in stages)
    final = text.rsplit("\nFROM ", 1)[1]
    user = re.findall(r"^USER (\S+)", final, re.M)
    assert user
    assert user[-1] not in ("root", "0")
    assert "pybabel compile" in text
    cmd = re.search(r"^CMD (.+)$", final, re.M).group(1)
    assert yaml.safe_load(cmd) == ["wbs", "run"]
    assert re.search(r"^EXPOSE 8080$", final, re.M)
    assert "HEALTHCHECK" in final
    for needed in ("pyproject.toml", "bot", "handlers", "storage", "locales"):
        assert re.search(rf"^COPY .*\b{needed}\b", text, re.M), needed


def test_dockerignore_keeps_secrets_and_data_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for secret in (".env", "data/", "**/*.key", ".git/"):
        assert secret in ignored
    assert "!.env.example" in ignored


def test_readme_documents_every_setting():
    documented = set(re.findall(r"\bWBS_[A-Z0-9_]*[A-Z0-9]", (ROOT / "README.md").read_text()))
    assert known_variables() - documented == set()


def test_settings_tree_reads_the_documented_names_into_their_sections():
    settings = load_settings({"WBS_TELEGRAM_TOKEN": "123:abc", "WBS_OFFICERS_CHAT_ID": "-1001",
                              "WBS_QUIET_STATUSES": "diverifikasi, ditindaklanjuti",
                              "WBS_SMTP_FROM": "wbs@example.go.id", "WBS_LISTEN_PORT": "9000",
                              "WBS_TIMEZONE": "Asia/Makassar", "WBS_ESCALATION_CHAT_ID": ""})
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123:abc"
    assert settings.officers.chat_id == -1001
    assert settings.officers.escalation_chat_id is None  # empty counts as unset
    assert settings.officers.quiet_statuses == ("diverifikasi", "ditindaklanjuti")
    assert settings.smtp.sender == "wbs@example.go.id"
    assert settings.web.listen_port == 9000
    assert str(settings.office.tz) == "Asia/Makassar"


def test_an_unknown_setting_is_reported_by_name_without_its_value(caplog):
    load_settings({"WBS_TELEGRAM_TOKN": "123:very-secret"})
    assert "WBS_TELEGRAM_TOKN" in caplog.text
    assert "very-secret" not in caplog.text


def test_a_wrong_value_names_the_variable():
    with pytest.raises(ValueError, match="WBS_LISTEN_PORT"):
        load_settings({"WBS_LISTEN_PORT": "eighty"})

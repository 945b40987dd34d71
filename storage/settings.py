"""Settings sections read from `WBS_*` variables, and the section of the storage layer.

Every layer keeps the section it reads next to its code; they share this base, which sits at
the bottom so all of them can import it. `bot.settings.load_settings` assembles the tree.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasGenerator, BaseModel, ConfigDict, SecretStr


def env_names(prefix: str) -> ConfigDict:
    """A section's config: field `x` is read from the variable `{prefix}X`, unless the field
    names its own with `Field(validation_alias=...)`; unknown variables are ignored here (the
    loader reports them), and a value assigned later is validated like one read."""
    return ConfigDict(
        validate_assignment=True, extra="ignore", populate_by_name=True,
        alias_generator=AliasGenerator(validation_alias=lambda name: prefix + name.upper()))


class Section(BaseModel):
    """Base of every settings section (variables named WBS_<FIELD> unless a section says so)."""

    model_config = env_names("WBS_")


class StorageSettings(Section):
    """Where data and keys live and how the database is reached."""

    data_dir: Path = Path("data")
    database_url: str | None = None
    database_schema: str | None = None
    database_pool_size: int = 10
    database_pool_timeout: float = 30.0
    key_file: Path | None = None
    master_key: SecretStr | None = None

    @property
    def db_url(self) -> str:
        """The database URL; SQLite in the data directory unless WBS_DATABASE_URL is set."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'wbs.db'}"

    @property
    def key_path(self) -> Path:
        """Where the keyring file lives (ignored when WBS_MASTER_KEY is set)."""
        return self.key_file or self.data_dir / "wbs.key"

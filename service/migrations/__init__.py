"""Schema migrations (Alembic), run programmatically: at start-up by the server and by every CLI command.

    upgrade(store) ──alembic upgrade head──> the tables in service.store (revision files in versions/)

No alembic.ini: the script location is this package and the connection is the store's own, so one
`await upgrade(store)` brings a new or old database to the latest schema. Two instances starting at once
are safe: the upgrade runs inside the store's write transaction (SQLite BEGIN IMMEDIATE, PostgreSQL
advisory lock), so the second sees the first one's result and does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config

if TYPE_CHECKING:
    from service.store import Store

__all__ = ["alembic_config", "upgrade"]

_HERE = Path(__file__).resolve().parent


def alembic_config(connection: Any = None) -> Config:
    """Returns the Alembic configuration for this package, bound to a sync connection when given."""
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["connection"] = connection
    return config


async def upgrade(store: Store, revision: str = "head") -> None:
    """Migrates the store's database to revision (default: the latest)."""

    def run(sync_connection: Any) -> None:
        command.upgrade(alembic_config(sync_connection), revision)

    async with store.write() as conn:
        await conn.run_sync(run)

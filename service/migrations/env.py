"""Alembic environment: always online, on the connection `service.migrations.upgrade` passes in."""

from __future__ import annotations

from alembic import context

from service.store import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` run by hand without our helper
    # Store.open runs upgrade() itself: `abaila serve` and every store command migrate on start.
    raise RuntimeError("run migrations through service.migrations.upgrade (Store.open calls it)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

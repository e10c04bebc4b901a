"""Indicators (card:, phone:, iban:) as entries: the SHA-256 of each, indexed, for the range lookup.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): batch mode would rebuild the table and lose entries_live's WHERE.
    op.add_column("entries", sa.Column("indicator_hash", sa.String(64)))
    op.create_index("entries_indicator_hash", "entries", ["indicator_hash"])
    # Entries written as indicators before this revision (none were accepted, but a bundled import may hold one).
    conn = op.get_bind()
    entries = sa.table("entries", sa.column("id", sa.Integer), sa.column("expression", sa.String),
                       sa.column("indicator_hash", sa.String))
    rows = conn.execute(sa.select(entries.c.id, entries.c.expression).where(sa.or_(
        entries.c.expression.like("card:%"), entries.c.expression.like("phone:%"),
        entries.c.expression.like("iban:%")))).all()
    for row in rows:
        conn.execute(entries.update().where(entries.c.id == row.id).values(
            indicator_hash=hashlib.sha256(row.expression.encode("utf-8")).hexdigest()))


def downgrade() -> None:
    op.drop_index("entries_indicator_hash", table_name="entries")
    op.drop_column("entries", "indicator_hash")

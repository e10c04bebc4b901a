"""The first schema: lists, entries, changes, reports, decisions, audit, api_keys.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.store import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lists",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("expression", sa.String(2048), nullable=False),
        sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id"), nullable=False),
        sa.Column("effect", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence_url", sa.Text),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("removed_at", UTCDateTime),
        sa.Column("removed_by", sa.String(200)),
        sa.Column("removed_reason", sa.Text),
    )
    op.create_index("entries_live", "entries", ["expression", "list_id"], unique=True,
                    sqlite_where=sa.text("removed_at IS NULL"), postgresql_where=sa.text("removed_at IS NULL"))
    op.create_index("entries_expression", "entries", ["expression"])
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("expression", sa.String(2048), nullable=False),
        sa.Column("list_name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("group_id", sa.String(32), nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("expression", sa.String(2048), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("group_id", sa.String(32), nullable=False, index=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("reports", sa.Integer, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False, index=True),
        sa.Column("actor", sa.String(200), nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(2048), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("rate", sa.String(32)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", UTCDateTime),
    )


def downgrade() -> None:
    for table in ("api_keys", "audit", "decisions", "reports", "changes", "entries", "lists"):
        op.drop_table(table)

"""broadcast deliveries: one row per sending of an announcement, with its command batches

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 22:57:38.190648
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartcity.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcast_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("slot_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("zone_ids", sa.JSON(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("batches", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("start_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["broadcast_announcements.id"],
            name=op.f("fk_broadcast_deliveries_announcement_id_broadcast_announcements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_deliveries")),
        sa.UniqueConstraint(
            "schedule_id", "slot_at", name=op.f("uq_broadcast_deliveries_schedule_id")
        ),
    )
    with op.batch_alter_table("broadcast_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_broadcast_deliveries_announcement_id"), ["announcement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_broadcast_deliveries_schedule_id"), ["schedule_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_broadcast_deliveries_status"), ["status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcast_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_deliveries_status"))
        batch_op.drop_index(batch_op.f("ix_broadcast_deliveries_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_broadcast_deliveries_announcement_id"))

    op.drop_table("broadcast_deliveries")

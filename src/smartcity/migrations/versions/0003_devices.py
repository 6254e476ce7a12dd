"""devices: registry, gateways, readings, latest values and dead letters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 22:26:05.442584
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartcity.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_dead_letters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("device_code", sa.String(length=80), nullable=False),
        sa.Column("credential", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("reason_th", sa.String(length=300), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_dead_letters")),
    )
    with op.batch_alter_table("device_dead_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_dead_letters_device_code"), ["device_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_device_dead_letters_reason_code"), ["reason_code"], unique=False
        )
        batch_op.create_index("ix_device_dead_letters_received", ["received_at"], unique=False)

    op.create_table(
        "device_gateways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("last_seen_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_gateways")),
        sa.UniqueConstraint("code", name=op.f("uq_device_gateways_code")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_gateways_token_hash")),
    )
    with op.batch_alter_table("device_gateways", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_gateways_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "device_readings",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "metric", "ts_ms", name=op.f("pk_device_readings")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("credential_rotated_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mqtt_username", sa.String(length=80), nullable=True),
        sa.Column("mqtt_password_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("last_seen_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("battery", sa.Float(), nullable=True),
        sa.Column("signal", sa.Float(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("code", name=op.f("uq_devices_code")),
        sa.UniqueConstraint("mqtt_username", name=op.f("uq_devices_mqtt_username")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "device_latest",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_device_latest_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "metric", name=op.f("pk_device_latest")),
    )


def downgrade() -> None:
    op.drop_table("device_latest")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_zone_id"))
        batch_op.drop_index(batch_op.f("ix_devices_status"))
        batch_op.drop_index(batch_op.f("ix_devices_kind"))
        batch_op.drop_index(batch_op.f("ix_devices_agency_id"))

    op.drop_table("devices")
    op.drop_table("device_readings")
    with op.batch_alter_table("device_gateways", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_gateways_agency_id"))

    op.drop_table("device_gateways")
    with op.batch_alter_table("device_dead_letters", schema=None) as batch_op:
        batch_op.drop_index("ix_device_dead_letters_received")
        batch_op.drop_index(batch_op.f("ix_device_dead_letters_reason_code"))
        batch_op.drop_index(batch_op.f("ix_device_dead_letters_device_code"))

    op.drop_table("device_dead_letters")

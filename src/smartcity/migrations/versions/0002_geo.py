"""geography: sites, zones and places

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 22:12:24.547549
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartcity.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geo_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("center_lat", sa.Float(), nullable=False),
        sa.Column("center_lon", sa.Float(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geo_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_geo_sites_code")),
    )
    op.create_table(
        "geo_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["geo_sites.id"], name=op.f("fk_geo_zones_site_id_geo_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geo_zones")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_geo_zones_site_id")),
    )
    with op.batch_alter_table("geo_zones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_geo_zones_bbox", ["min_lon", "max_lon", "min_lat", "max_lat"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_geo_zones_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_geo_zones_site_id"), ["site_id"], unique=False)

    op.create_table(
        "geo_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["geo_sites.id"], name=op.f("fk_geo_places_site_id_geo_sites")
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["geo_zones.id"],
            name=op.f("fk_geo_places_zone_id_geo_zones"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geo_places")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_geo_places_site_id")),
    )
    with op.batch_alter_table("geo_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_geo_places_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_geo_places_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_geo_places_zone_id"), ["zone_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("geo_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geo_places_zone_id"))
        batch_op.drop_index(batch_op.f("ix_geo_places_site_id"))
        batch_op.drop_index(batch_op.f("ix_geo_places_kind"))

    op.drop_table("geo_places")
    with op.batch_alter_table("geo_zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geo_zones_site_id"))
        batch_op.drop_index(batch_op.f("ix_geo_zones_kind"))
        batch_op.drop_index("ix_geo_zones_bbox")

    op.drop_table("geo_zones")
    op.drop_table("geo_sites")

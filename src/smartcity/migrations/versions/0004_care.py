"""care: households, people (sensitive fields encrypted), consent records and ADL assessments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 22:28:19.144460
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smartcity.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_no", sa.String(length=40), nullable=False),
        sa.Column("moo", sa.String(length=10), nullable=False),
        sa.Column("village", sa.String(length=120), nullable=False),
        sa.Column("soi", sa.String(length=120), nullable=False),
        sa.Column("road", sa.String(length=120), nullable=False),
        sa.Column("tambon", sa.String(length=120), nullable=False),
        sa.Column("amphoe", sa.String(length=120), nullable=False),
        sa.Column("changwat", sa.String(length=120), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_households")),
    )
    with op.batch_alter_table("care_households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_households_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "care_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("given_name", sa.String(length=120), nullable=False),
        sa.Column("family_name", sa.String(length=120), nullable=False),
        sa.Column("given_name_en", sa.String(length=120), nullable=False),
        sa.Column("family_name_en", sa.String(length=120), nullable=False),
        sa.Column("search_tokens", sa.Text(), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("phone_index", sa.Text(), nullable=False),
        sa.Column("national_id_hash", sa.String(length=64), nullable=True),
        sa.Column("national_id_enc", sa.LargeBinary(), nullable=True),
        sa.Column("national_id_tail", sa.String(length=3), nullable=False),
        sa.Column("emergency_contacts", sa.JSON(), nullable=False),
        sa.Column("caregiver_name", sa.String(length=200), nullable=False),
        sa.Column("caregiver_phone", sa.String(length=20), nullable=False),
        sa.Column("caregiver_user_id", sa.Integer(), nullable=True),
        sa.Column("elderly", sa.Boolean(), nullable=False),
        sa.Column("bed_bound", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("oxygen_dependent", sa.Boolean(), nullable=False),
        sa.Column("dialysis", sa.Boolean(), nullable=False),
        sa.Column("pregnant", sa.Boolean(), nullable=False),
        sa.Column("child", sa.Boolean(), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("disability_type_enc", sa.LargeBinary(), nullable=True),
        sa.Column("chronic_conditions_enc", sa.LargeBinary(), nullable=True),
        sa.Column("hearing_notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("care_notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("language_notes", sa.Text(), nullable=False),
        sa.Column("adl_score", sa.Integer(), nullable=True),
        sa.Column("adl_group", sa.String(length=12), nullable=True),
        sa.Column("adl_assessed_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["care_households.id"],
            name=op.f("fk_care_people_household_id_care_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_people")),
        sa.UniqueConstraint("national_id_hash", name=op.f("uq_care_people_national_id_hash")),
    )
    with op.batch_alter_table("care_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_people_adl_group"), ["adl_group"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_people_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_care_people_caregiver_user_id"), ["caregiver_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_people_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "care_adl_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("assessed_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("feeding", sa.Integer(), nullable=False),
        sa.Column("grooming", sa.Integer(), nullable=False),
        sa.Column("transfer", sa.Integer(), nullable=False),
        sa.Column("toilet", sa.Integer(), nullable=False),
        sa.Column("mobility", sa.Integer(), nullable=False),
        sa.Column("dressing", sa.Integer(), nullable=False),
        sa.Column("stairs", sa.Integer(), nullable=False),
        sa.Column("bathing", sa.Integer(), nullable=False),
        sa.Column("bowels", sa.Integer(), nullable=False),
        sa.Column("bladder", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["care_people.id"],
            name=op.f("fk_care_adl_assessments_person_id_care_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_adl_assessments")),
    )
    with op.batch_alter_table("care_adl_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_adl_assessments_assessed_at"), ["assessed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_adl_assessments_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "care_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("given_by", sa.String(length=10), nullable=False),
        sa.Column("guardian_name", sa.String(length=200), nullable=False),
        sa.Column("guardian_relation", sa.String(length=80), nullable=False),
        sa.Column("given_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("evidence_note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("withdrawn_at", smartcity.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=False),
        sa.Column("withdrawal_note", sa.Text(), nullable=False),
        sa.Column("created_at", smartcity.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["care_people.id"],
            name=op.f("fk_care_consents_person_id_care_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_consents")),
    )
    with op.batch_alter_table("care_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_consents_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_consents_purpose"), ["purpose"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("care_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_consents_purpose"))
        batch_op.drop_index(batch_op.f("ix_care_consents_person_id"))

    op.drop_table("care_consents")
    with op.batch_alter_table("care_adl_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_adl_assessments_person_id"))
        batch_op.drop_index(batch_op.f("ix_care_adl_assessments_assessed_at"))

    op.drop_table("care_adl_assessments")
    with op.batch_alter_table("care_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_people_household_id"))
        batch_op.drop_index(batch_op.f("ix_care_people_caregiver_user_id"))
        batch_op.drop_index(batch_op.f("ix_care_people_birth_date"))
        batch_op.drop_index(batch_op.f("ix_care_people_adl_group"))

    op.drop_table("care_people")
    with op.batch_alter_table("care_households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_households_zone_id"))

    op.drop_table("care_households")

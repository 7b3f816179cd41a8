"""care programme: check-ins, exercise sessions, lessons read, time zone and calendar feed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("limits", sa.Integer(), nullable=True),
        sa.Column("sleep", sa.String(length=16), nullable=True),
        sa.Column("did_plan", sa.String(length=16), nullable=True),
        sa.Column("warning", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("limits >= 0 AND limits <= 4", name="ck_care_checkins_limits"),
        sa.CheckConstraint("pain >= 0 AND pain <= 10", name="ck_care_checkins_pain"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "day", name="uq_care_checkins_person_day"),
    )
    op.create_index("ix_care_checkins_person_id", "care_checkins", ["person_id"])

    op.create_table(
        "care_lessons_done",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("lesson", sa.String(length=64), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "lesson", name="uq_care_lessons_person"),
    )
    op.create_index("ix_care_lessons_done_person_id", "care_lessons_done", ["person_id"])

    op.create_table(
        "care_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("pain_during", sa.Integer(), nullable=True),
        sa.Column("difficulty", sa.String(length=16), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("pain_during >= 0 AND pain_during <= 10", name="ck_care_sessions_pain"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_care_sessions_person_id", "care_sessions", ["person_id"])

    op.create_table(
        "care_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("feed_digest", sa.String(length=64), nullable=True),
        sa.Column("feed_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("programme_start", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_digest"),
        sa.UniqueConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("care_settings")
    op.drop_index("ix_care_sessions_person_id", table_name="care_sessions")
    op.drop_table("care_sessions")
    op.drop_index("ix_care_lessons_done_person_id", table_name="care_lessons_done")
    op.drop_table("care_lessons_done")
    op.drop_index("ix_care_checkins_person_id", table_name="care_checkins")
    op.drop_table("care_checkins")

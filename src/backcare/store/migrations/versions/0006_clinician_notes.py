"""clinicians' dated notes on the people who share with them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinician_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_clinician_notes_person_id", "clinician_notes", ["person_id"])
    op.create_index("ix_clinician_notes_author_user_id", "clinician_notes", ["author_user_id"])


def downgrade() -> None:
    op.drop_index("ix_clinician_notes_author_user_id", table_name="clinician_notes")
    op.drop_index("ix_clinician_notes_person_id", table_name="clinician_notes")
    op.drop_table("clinician_notes")

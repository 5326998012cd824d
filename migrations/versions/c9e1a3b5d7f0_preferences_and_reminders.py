"""preferences and reminders: each person's time zone and whether they get reminder mail, the site's settings
(such as after how many idle days learners are reminded), when each enrolment was last reminded, and the
questions a learner flagged to come back to in an attempt, and each module's icon

Revision ID: c9e1a3b5d7f0
Revises: b8d0f2a4c6e9
Create Date: 2026-12-02 20:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c9e1a3b5d7f0"
down_revision = "b8d0f2a4c6e9"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch mode): SQLite adds a column with a constant default without copying the table.
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("email_reminders", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("enrolments", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "attempt_answers", sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("modules", sa.Column("icon", sa.String(length=40), server_default="book-open", nullable=False))
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade():
    op.drop_table("site_settings")
    with op.batch_alter_table("modules") as batch:
        batch.drop_column("icon")
    with op.batch_alter_table("attempt_answers") as batch:
        batch.drop_column("flagged")
    # Not in batch mode: rebuilding the enrolments table would drop the triggers that keep the course tallies.
    op.drop_column("enrolments", "reminded_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_reminders")
        batch.drop_column("time_zone")

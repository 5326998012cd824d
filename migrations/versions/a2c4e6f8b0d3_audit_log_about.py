"""audit log about: the person each entry concerns, whatever its record, read by an index

Revision ID: a2c4e6f8b0d3
Revises: f3c5e7a9b1d2
Create Date: 2026-12-07 03:10:00

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "a2c4e6f8b0d3"
down_revision = "f3c5e7a9b1d2"
branch_labels = None
depends_on = None

# Entries about an account say so in their target; those about a person's award or attempt, through its row.
ABOUT_ACCOUNT = "UPDATE audit_log SET about_user_id = CAST(substr(target, 6) AS INTEGER) WHERE target LIKE 'user:%'"
ABOUT_AWARD = """
UPDATE audit_log SET about_user_id = (
    SELECT badge_awards.user_id FROM badge_awards WHERE 'award:' || badge_awards.public_id = audit_log.target
) WHERE action = 'badge.revoke'
"""
ABOUT_ATTEMPT = """
UPDATE audit_log SET about_user_id = (
    SELECT attempts.user_id FROM attempts WHERE 'attempt:' || CAST(attempts.id AS VARCHAR(20)) = audit_log.target
) WHERE action LIKE 'attempt.%'
"""
# Those about a member or a trainer name them in their details.
NAMED_IN_DETAIL = {"cohort.remove": "user", "course.trainer.assign": "trainer", "course.trainer.unassign": "trainer"}


def upgrade():
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("about_user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_audit_log_about_user_id_users", "users", ["about_user_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_audit_log_about_id", "audit_log", ["about_user_id", "id"])
    op.execute(ABOUT_ACCOUNT)
    op.execute(ABOUT_AWARD)
    op.execute(ABOUT_ATTEMPT)
    connection = op.get_bind()
    entries = sa.table("audit_log", sa.column("id"), sa.column("action"), sa.column("detail"), sa.column("about_user_id"))
    rows = connection.execute(
        sa.select(entries.c.id, entries.c.action, entries.c.detail).where(entries.c.action.in_(NAMED_IN_DETAIL))
    )
    for entry_id, action, detail in rows.all():
        values = json.loads(detail) if isinstance(detail, str) else detail or {}
        person = values.get(NAMED_IN_DETAIL[action])
        if isinstance(person, int):
            connection.execute(entries.update().where(entries.c.id == entry_id).values(about_user_id=person))


def downgrade():
    op.drop_index("ix_audit_log_about_id", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("fk_audit_log_about_user_id_users", type_="foreignkey")
        batch.drop_column("about_user_id")

"""audit log indexes: the admins' log page reads one action's or one record's entries newest first

Revision ID: e4a6c8f0b2d5
Revises: b7d9f1a3c5e8
Create Date: 2026-12-06 20:00:00

"""

from alembic import op

revision = "e4a6c8f0b2d5"
down_revision = "b7d9f1a3c5e8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"])
    op.create_index("ix_audit_log_target_id", "audit_log", ["target", "id"])


def downgrade():
    op.drop_index("ix_audit_log_target_id", table_name="audit_log")
    op.drop_index("ix_audit_log_action_id", table_name="audit_log")

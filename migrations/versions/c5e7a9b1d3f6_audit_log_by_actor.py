"""audit log by actor: one person's actions, newest first, read by an index

Revision ID: c5e7a9b1d3f6
Revises: b3d5f7a9c1e4
Create Date: 2026-12-07 01:50:00

"""

from alembic import op

revision = "c5e7a9b1d3f6"
down_revision = "b3d5f7a9c1e4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id", "id"])


def downgrade():
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")

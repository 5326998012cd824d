"""badge awards by badge: one badge's awards, newest first, read by an index of badge and award

Revision ID: d7f9b1c3e5a8
Revises: c5e7a9b1d3f6
Create Date: 2026-12-07 02:10:00

"""

from alembic import op

revision = "d7f9b1c3e5a8"
down_revision = "c5e7a9b1d3f6"
branch_labels = None
depends_on = None


def upgrade():
    # The index of the badge alone is replaced: the new one starts with the badge, so it serves what that one did.
    op.drop_index("ix_badge_awards_badge_class_id", table_name="badge_awards")
    op.create_index("ix_badge_awards_class_id", "badge_awards", ["badge_class_id", "id"])


def downgrade():
    op.drop_index("ix_badge_awards_class_id", table_name="badge_awards")
    op.create_index("ix_badge_awards_badge_class_id", "badge_awards", ["badge_class_id"])

"""badge earner names: the name a learner shows on the public pages of their badges, or none

Revision ID: e5a7c9d1f3b6
Revises: d4f6b8c0e2a5
Create Date: 2026-12-02 14:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5a7c9d1f3b6"
down_revision = "d4f6b8c0e2a5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "badge_earner_names",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("shown_name", sa.String(length=80), server_default="", nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_badge_earner_names_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_badge_earner_names")),
    )


def downgrade():
    op.drop_table("badge_earner_names")

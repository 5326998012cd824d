"""invitations pending: when an invited account was last mailed its invitation; the user list's filters

Revision ID: b3d5f7a9c1e4
Revises: e4a6c8f0b2d5
Create Date: 2026-12-07 01:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c1e4"
down_revision = "e4a6c8f0b2d5"
branch_labels = None
depends_on = None

INVITED = sa.text("invited_at IS NOT NULL")


def upgrade():
    # Accounts invited before this revision are not known as pending: their owners may have chosen a password.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_role_name_id", "users", ["role", "display_name", "id"])
    op.create_index("ix_users_active_name_id", "users", ["active", "display_name", "id"])
    op.create_index(
        "ix_users_invited_name_id",
        "users",
        ["display_name", "id"],
        sqlite_where=INVITED,
        postgresql_where=INVITED,
    )


def downgrade():
    op.drop_index("ix_users_invited_name_id", table_name="users")
    op.drop_index("ix_users_active_name_id", table_name="users")
    op.drop_index("ix_users_role_name_id", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("invited_at")

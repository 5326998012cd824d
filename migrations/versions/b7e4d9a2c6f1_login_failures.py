"""login failures: failed sign-ins counted in the database per account and per address

Revision ID: b7e4d9a2c6f1
Revises: 8f3a6c2d1e57
Create Date: 2026-12-02 01:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7e4d9a2c6f1"
down_revision = "8f3a6c2d1e57"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_email"), ["email"], unique=False)


def downgrade():
    op.drop_table("login_failures")

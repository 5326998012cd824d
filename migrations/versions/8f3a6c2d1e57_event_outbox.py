"""event outbox: events are written with the facts they announce and delivered after the commit

Revision ID: 8f3a6c2d1e57
Revises: 5c1d2e7a9b40
Create Date: 2026-12-02 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8f3a6c2d1e57"
down_revision = "5c1d2e7a9b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_outbox")),
    )


def downgrade():
    op.drop_table("event_outbox")

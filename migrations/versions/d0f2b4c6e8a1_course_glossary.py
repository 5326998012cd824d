"""course glossary: the terms a pack defines, which lessons link to

Revision ID: d0f2b4c6e8a1
Revises: c9e1a3b5d7f0
Create Date: 2026-12-03 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d0f2b4c6e8a1"
down_revision = "c9e1a3b5d7f0"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch mode): SQLite adds a column with a constant default without copying the table.
    op.add_column("courses", sa.Column("glossary", sa.JSON(), server_default="[]", nullable=False))


def downgrade():
    # Not in batch mode: rebuilding courses, the parent of nearly every table, is slow on a large database.
    op.drop_column("courses", "glossary")

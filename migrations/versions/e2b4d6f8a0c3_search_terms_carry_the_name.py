"""search terms carry the name: each term of the user search index also holds its user's display name, so a
page of matches in name order is read from the index alone

Revision ID: e2b4d6f8a0c3
Revises: d0f2b4c6e8a1
Create Date: 2026-12-03 08:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e2b4d6f8a0c3"
down_revision = "d0f2b4c6e8a1"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch mode): SQLite adds a column with a constant default without copying the table.
    op.add_column(
        "user_search_terms", sa.Column("display_name", sa.String(length=80), server_default="", nullable=False)
    )
    op.execute(
        "UPDATE user_search_terms SET display_name = "
        "(SELECT users.display_name FROM users WHERE users.id = user_search_terms.user_id)"
    )
    op.create_index("ix_user_search_terms_term_name", "user_search_terms", ["term", "display_name", "user_id"])
    op.drop_index("ix_user_search_terms_term_user", table_name="user_search_terms")


def downgrade():
    op.create_index("ix_user_search_terms_term_user", "user_search_terms", ["term", "user_id"])
    op.drop_index("ix_user_search_terms_term_name", table_name="user_search_terms")
    op.drop_column("user_search_terms", "display_name")

"""search terms split names and emails at hyphens and apostrophes: "O'Brien-Ñúñez" is found by "O'Brien",
"Brien-Ñúñez" or any of its parts, and an email's domain by its parts

Revision ID: a5c7e9b1d3f6
Revises: c4e6a8b0d2f4
Create Date: 2026-12-06 17:40:00

"""

import sqlalchemy as sa
from alembic import op

from lms.user_search import terms_for

revision = "a5c7e9b1d3f6"
down_revision = "c4e6a8b0d2f4"
branch_labels = None
depends_on = None

BATCH = 5_000  # users rewritten per statement pair, so a large database is never held in memory at once


def upgrade():
    # Every user's terms are written again with the current rule; the old terms were a subset of the new.
    terms = sa.table("user_search_terms", sa.column("user_id"), sa.column("term"), sa.column("display_name"))
    connection = op.get_bind()
    after = 0
    while True:
        users = connection.execute(
            sa.text("SELECT id, email, display_name FROM users WHERE id > :after ORDER BY id LIMIT :size"),
            {"after": after, "size": BATCH},
        ).all()
        if not users:
            break
        ids = [user_id for user_id, _email, _name in users]
        connection.execute(terms.delete().where(terms.c.user_id.in_(ids)))
        rows = [
            {"user_id": user_id, "term": term, "display_name": name}
            for user_id, email, name in users
            for term in terms_for(email, name)
        ]
        connection.execute(terms.insert(), rows)
        after = ids[-1]


def downgrade():
    pass  # the earlier code reads these terms as well: a search finds what it found before, and more

"""admin pages flat in the number of learners: search terms, kept attempt counts, failed deliveries

Revision ID: d4e6a8c0b2f1
Revises: c2f8a1b5d3e9
Create Date: 2026-12-02 03:30:00

"""

import sqlalchemy as sa
from alembic import op

from lms.user_search import TERM_TYPE, terms_for

revision = "d4e6a8c0b2f1"
down_revision = "c2f8a1b5d3e9"
branch_labels = None
depends_on = None


def upgrade():
    terms = op.create_table(
        "user_search_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("term", TERM_TYPE, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_search_terms_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_search_terms")),
    )
    op.create_index("ix_user_search_terms_term_user", "user_search_terms", ["term", "user_id"])
    op.create_index(op.f("ix_user_search_terms_user_id"), "user_search_terms", ["user_id"])
    users = op.get_bind().execute(sa.text("SELECT id, email, display_name FROM users")).all()
    rows = [{"user_id": uid, "term": term} for uid, email, name in users for term in terms_for(email, name)]
    if rows:
        op.bulk_insert(terms, rows)

    op.create_table(
        "failed_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listener", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_deliveries")),
    )
    op.create_index(op.f("ix_failed_deliveries_listener"), "failed_deliveries", ["listener"])

    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.add_column(sa.Column("attempt_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE quizzes SET attempt_count = (SELECT count(*) FROM attempts WHERE attempts.quiz_id = quizzes.id)")

    op.create_index(
        "ix_badge_awards_revoked",
        "badge_awards",
        ["revoked_at"],
        sqlite_where=sa.text("revoked_at IS NOT NULL"),
        postgresql_where=sa.text("revoked_at IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_badge_awards_revoked", table_name="badge_awards")
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.drop_column("attempt_count")
    op.drop_index(op.f("ix_failed_deliveries_listener"), table_name="failed_deliveries")
    op.drop_table("failed_deliveries")
    op.drop_index(op.f("ix_user_search_terms_user_id"), table_name="user_search_terms")
    op.drop_index("ix_user_search_terms_term_user", table_name="user_search_terms")
    op.drop_table("user_search_terms")

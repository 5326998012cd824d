"""badges held: each badge class keeps how many of its awards are held (not revoked), kept by triggers on the
awards

Revision ID: b8d0f2a4c6e9
Revises: a7c9e1f3b5d8
Create Date: 2026-12-02 20:10:00

The course dashboard adds up these counts instead of counting every award, so the index it counted them from
goes. A later migration that rebuilds the
awards table (SQLite's batch mode copies it) drops the SQLite triggers and must create them again.
"""

import sqlalchemy as sa
from alembic import op

revision = "b8d0f2a4c6e9"
down_revision = "a7c9e1f3b5d8"
branch_labels = None
depends_on = None

BACKFILL = """UPDATE badge_classes SET held_count = (
  SELECT count(*) FROM badge_awards a WHERE a.badge_class_id = badge_classes.id AND a.revoked_at IS NULL)"""


def change(row: str, sign: str) -> str:
    """SQL: count an award row in (+) or out (-) of its class's held count, when it is held."""
    return (
        f"UPDATE badge_classes SET held_count = held_count {sign} 1 "
        f"WHERE id = {row}.badge_class_id AND {row}.revoked_at IS NULL;"
    )


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER badge_awards_held_insert AFTER INSERT ON badge_awards BEGIN {change('new', '+')} END",
    f"CREATE TRIGGER badge_awards_held_delete AFTER DELETE ON badge_awards BEGIN {change('old', '-')} END",
    "CREATE TRIGGER badge_awards_held_update AFTER UPDATE OF revoked_at, badge_class_id ON badge_awards "
    f"BEGIN {change('old', '-')} {change('new', '+')} END",
]
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION badge_awards_keep_held() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {change("OLD", "-")} END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  {change("NEW", "+")}
  RETURN NEW;
END $$""",
    "CREATE TRIGGER badge_awards_held AFTER INSERT OR DELETE OR UPDATE OF revoked_at, badge_class_id "
    "ON badge_awards FOR EACH ROW EXECUTE FUNCTION badge_awards_keep_held()",
]


def upgrade():
    op.add_column("badge_classes", sa.Column("held_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(BACKFILL)
    op.drop_index("ix_badge_awards_class_revoked", table_name="badge_awards")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER badge_awards_held ON badge_awards")
        op.execute("DROP FUNCTION badge_awards_keep_held()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER badge_awards_held_{name}")
    op.create_index("ix_badge_awards_class_revoked", "badge_awards", ["badge_class_id", "revoked_at"])
    with op.batch_alter_table("badge_classes") as batch:
        batch.drop_column("held_count")

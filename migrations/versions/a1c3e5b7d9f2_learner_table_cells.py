"""learner table cells: each enrolment keeps the other plugins' cells (best scores, badges held); users by name

Revision ID: a1c3e5b7d9f2
Revises: f0c2e4a6b8d1
Create Date: 2026-12-02 11:00:00

"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "a1c3e5b7d9f2"
down_revision = "f0c2e4a6b8d1"
branch_labels = None
depends_on = None

BATCH = 5_000

# Each learner's best score per quiz and the badges they hold (not revoked), with the course they belong to.
BEST_SCORES = """SELECT r.user_id, q.course_id, 'quiz:' || q.id, r.best_score
FROM quiz_results r JOIN quizzes q ON q.id = r.quiz_id"""
BADGES_HELD = """SELECT a.user_id, b.course_id, 'badge:' || b.id, 1
FROM badge_awards a JOIN badge_classes b ON b.id = a.badge_class_id WHERE a.revoked_at IS NULL"""


def upgrade():
    op.add_column("enrolments", sa.Column("cells", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True))
    op.create_index("ix_users_name_id", "users", ["display_name", "id"])
    backfill(op.get_bind())


def backfill(connection) -> None:
    """Work each enrolment's cells out from the results and awards recorded so far."""
    cells: dict[tuple[int, int], dict] = {}
    for query in (BEST_SCORES, BADGES_HELD):
        for user_id, course_id, key, value in connection.execute(sa.text(query)):
            cells.setdefault((user_id, course_id), {})[key] = value
    update = sa.text("UPDATE enrolments SET cells = :cells WHERE user_id = :user_id AND course_id = :course_id")
    if connection.dialect.name == "postgresql":
        update = sa.text(
            "UPDATE enrolments SET cells = CAST(:cells AS JSONB) WHERE user_id = :user_id AND course_id = :course_id"
        )
    rows = [{"user_id": u, "course_id": c, "cells": json.dumps(v)} for (u, c), v in cells.items()]
    for start in range(0, len(rows), BATCH):
        connection.execute(update, rows[start : start + BATCH])


def downgrade():
    op.drop_index("ix_users_name_id", table_name="users")
    with op.batch_alter_table("enrolments") as batch:
        batch.drop_column("cells")

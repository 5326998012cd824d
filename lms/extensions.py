"""Flask extension objects; each keeps its per-app state on the app, so several apps can coexist."""

from typing import TYPE_CHECKING

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model of the LMS and its plugins."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# In a session's `info` until its request begins to write: (the engine, its autocommit twin sharing its pool),
# set by the hook lms.db.read_outside_transaction makes.
READS_OUTSIDE_TRANSACTION = "lms_reads_outside_transaction"


class LmsSession(Session):
    """`db.session`: until its request begins to write, statements run on the same engine in autocommit mode."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        """The engine Flask-SQLAlchemy chooses; its autocommit twin (same pool) until the request begins to write."""
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        reading = self.info.get(READS_OUTSIDE_TRANSACTION)
        if bind is None and reading is not None and reading[0] is engine:
            return reading[1]
        return engine


db = SQLAlchemy(model_class=Base, session_options={"class_": LmsSession})
# `db.Model` is built at run time; type checkers see the declarative base it derives from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
csrf = CSRFProtect()

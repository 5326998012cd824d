"""Badge classes (declared by content packs) and the awards issued to learners."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import Model
from lms.models import utcnow


class BadgeClass(Model):
    """A badge a course offers: for one module, or for the whole course when module_id is None."""

    __tablename__ = "badge_classes"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    # Set when an admin edits the text, so a pack re-sync does not overwrite it.
    customized: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # How many of its awards are held (not revoked); kept by database triggers on the awards (migration
    # b8d0f2a4c6e9), so the course dashboard never counts the awards.
    held_count: Mapped[int] = mapped_column(default=0, server_default="0")


class Award(Model):
    """A badge issued to a learner, once; its public id is random and reveals nothing about them."""

    __tablename__ = "badge_awards"
    __table_args__ = (
        UniqueConstraint("badge_class_id", "user_id"),
        # One badge's awards, newest first, for the badge admin's filter (and the badge's awards for a delete).
        Index("ix_badge_awards_class_id", "badge_class_id", "id"),
        # Holds only the revoked awards, so the public revocation list reads those and no others.
        Index(
            "ix_badge_awards_revoked",
            "revoked_at",
            sqlite_where=text("revoked_at IS NOT NULL"),
            postgresql_where=text("revoked_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    badge_class_id: Mapped[int] = mapped_column(ForeignKey("badge_classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    recipient_hash: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revocation_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Whether the reason is published (verification page, badge documents); the holder and admins always see it.
    revocation_reason_public: Mapped[bool] = mapped_column(default=False, server_default=false())

    badge_class: Mapped[BadgeClass] = relationship(lazy="joined")

    @property
    def public_reason(self) -> str:
        """The revocation reason as the public may read it: empty unless the admin chose to publish it."""
        return (self.revocation_reason or "") if self.revocation_reason_public else ""

    @property
    def revoked(self) -> bool:
        """Whether an admin revoked the award."""
        return self.revoked_at is not None


class EarnerName(Model):
    """How a learner is named on the public pages of their badges: by a name they chose, or not at all. A learner
    without a row is named by their display name."""

    __tablename__ = "badge_earner_names"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    shown_name: Mapped[str] = mapped_column(String(80), default="", server_default="")  # "": the display name
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

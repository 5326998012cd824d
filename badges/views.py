"""Public badge documents and pages, the learner's badges, and the admin's badge tools."""

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response as ResponseBase
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from badges import baking, documents
from badges.artwork import badge_png, badge_svg, color_for
from badges.certificate import PAPER_SIZES, certificate_pdf
from badges.models import Award, BadgeClass
from badges.services import (
    certificate_for,
    choose_public_name,
    course_award_resting_on,
    edit_badge,
    name_choice,
    public_name,
    reissue_missing,
    revoke,
)
from lms.access import ANYONE, SIGNED_IN, allow
from lms.auth.forms import plain_name
from lms.errors import fail
from lms.extensions import db
from lms.forms import ActionForm, id_arg
from lms.services import ServiceError
from lms.user_search import matching_ids
from lms.wording import count_of

bp = Blueprint("badges", __name__, url_prefix="/badges")
# The issuer's key set at the site's well-known address, outside /badges.
well_known = Blueprint("well_known", __name__)
LD_JSON = "application/ld+json"
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
AWARDS_PER_PAGE = 50


def json_document(document: dict, status: int = 200) -> Response:
    """A JSON-LD document (or plain JSON when the client asked for it), open to any origin."""
    mimetype = "application/json" if documents.wants_plain_json() else LD_JSON
    response = Response(json.dumps(document, indent=2), status=status, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers fetch these from their own sites
    return response


def find_award(public_id: str) -> Award:
    """The award with this public id; anything else is the same plain 404."""
    # Public ids are URL-safe base64; anything else (e.g. a NUL byte, which PostgreSQL refuses) is unknown.
    if not PUBLIC_ID.fullmatch(public_id):
        abort(404)
    award = db.session.scalar(select(Award).where(Award.public_id == public_id))
    if award is None:
        abort(404)
    return award


# --- public documents (no login) -------------------------------------------------------------------------


@bp.route("/issuer")
@allow(ANYONE)
def issuer():
    """The OB 2.0 issuer profile."""
    return json_document(documents.issuer())


@bp.route("/classes/<int:badge_id>")
@allow(ANYONE)
def badge_class(badge_id: int):
    """The OB 2.0 BadgeClass."""
    return json_document(documents.badge_class(db.get_or_404(BadgeClass, badge_id)))


@bp.route("/classes/<int:badge_id>/image.<any(png, svg):ext>")
@allow(ANYONE)
def badge_image(badge_id: int, ext: str):
    """The badge's generated artwork."""
    badge = db.get_or_404(BadgeClass, badge_id)
    subtitle = current_app.config["BADGE_ISSUER_NAME"]
    if ext == "svg":
        return Response(badge_svg(badge.name, subtitle, color_for(badge.slug)), mimetype="image/svg+xml")
    return Response(badge_png(badge.name, subtitle, color_for(badge.slug)), mimetype="image/png")


@bp.route("/assertions/<public_id>")
@allow(ANYONE)
def assertion(public_id: str):
    """The hosted OB 2.0 assertion; 410 with the reason once revoked."""
    award = find_award(public_id)
    if award.revoked:
        url = documents.external("badges.assertion", public_id=award.public_id)
        return json_document(documents.openbadges.revoked_assertion(url, award.public_reason), status=410)
    return json_document(documents.assertion(award))


@bp.route("/assertions/<public_id>/credential")
@allow(ANYONE)
def credential(public_id: str):
    """The OB 3.0 credential as a signed VC-JWT; 410 once revoked."""
    award = find_award(public_id)
    if award.revoked:
        return revoked_credential(award)
    headers = {
        "Access-Control-Allow-Origin": "*",
        "Content-Disposition": f'attachment; filename="badge-{public_id}.jwt"',  # saved as what it is
    }
    return Response(documents.signed_credential(award), mimetype="application/vc+jwt", headers=headers)


@bp.route("/assertions/<public_id>/credential.json")
@allow(ANYONE)
def credential_json(public_id: str):
    """The OB 3.0 credential as JSON-LD with an embedded Data Integrity proof (eddsa-rdfc-2022): the second
    verifiable form, beside the VC-JWT; 410 once revoked."""
    award = find_award(public_id)
    if award.revoked:
        return revoked_credential(award)
    return json_document(documents.credential_with_proof(award))


@bp.route("/assertions/<public_id>/image.<any(png, svg):ext>")
@allow(ANYONE)
def baked_image(public_id: str, ext: str):
    """The badge image with the assertion (and the OB 3.0 credential, in PNG) baked in."""
    award = find_award(public_id)
    if award.revoked:
        return revoked_credential(award)
    badge = award.badge_class
    subtitle = current_app.config["BADGE_ISSUER_NAME"]
    assertion_json = documents.as_json(documents.assertion(award))
    filename = f"{badge.slug}-badge.{ext}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if ext == "svg":
        verify_url = documents.external("badges.assertion", public_id=award.public_id)
        artwork = badge_svg(badge.name, subtitle, color_for(badge.slug))
        svg = baking.bake_svg(artwork, assertion_json, verify_url, documents.signed_credential(award))
        return Response(svg, mimetype="image/svg+xml", headers=headers)
    png = baking.bake_png(badge_png(badge.name, subtitle, color_for(badge.slug)), "openbadges", assertion_json)
    png = baking.bake_png(png, "openbadgecredential", documents.signed_credential(award))
    return Response(png, mimetype="image/png", headers=headers)


@bp.route("/revocations")
@allow(ANYONE)
def revocations():
    """The OB 2.0 revocation list, also named as the OB 3.0 credentials' status list."""
    # Reads only the revoked awards (a partial index holds them), however many badges were ever issued.
    revoked = db.session.execute(
        select(Award.public_id, Award.revocation_reason, Award.revocation_reason_public)
        .where(Award.revoked_at.is_not(None))
        .order_by(Award.revoked_at, Award.id)  # the index's own order: by id alone SQLite would scan every award
    ).all()
    entries = [
        (documents.external("badges.assertion", public_id=public_id), reason if public else "")
        for public_id, reason, public in revoked
    ]
    response = json_document(
        documents.openbadges.revocation_list(
            documents.external("badges.revocations"), documents.external("badges.issuer"), entries
        )
    )
    # Verifiers poll this list: an unchanged one is answered with 304 and no body.
    response.add_etag()
    return response.make_conditional(request)


def revoked_credential(award):
    """What a revoked award's credential, its JSON and its images answer: 410 with a JSON body that says so (and
    why, when the admin made the reason public), for the verifiers that fetch them."""
    return json_document(
        {
            "id": documents.external("badges.credential", public_id=award.public_id),
            "revoked": True,
            **({"revocationReason": award.public_reason} if award.public_reason else {}),
        },
        status=410,
    )


def revoked_award_ids() -> tuple[list[int], datetime | None]:
    """The ids of the revoked awards and the time of the last revocation, read from the revoked awards only (a
    partial index holds them)."""
    revoked = db.session.execute(
        select(Award.id, Award.revoked_at).where(Award.revoked_at.is_not(None)).order_by(Award.revoked_at, Award.id)
    ).all()
    return [award_id for award_id, _at in revoked], (revoked[-1].revoked_at if revoked else None)


def status_list_response(response: Response) -> ResponseBase:
    """A status list as verifiers poll it: readable from any origin, and 304 with no body while unchanged."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/status/revocation")
@allow(ANYONE)
def status_list():
    """The VC-JWT credentials' revocation list: a BitstringStatusListCredential signed as a VC-JWT, with one bit
    per award, set once it is revoked."""
    return status_list_response(
        Response(documents.signed_status_list(*revoked_award_ids()), mimetype="application/vc+jwt")
    )


@bp.route("/status/revocation.json")
@allow(ANYONE)
def status_list_with_proof():
    """The same list with an eddsa-rdfc-2022 proof, for the credentials that carry one."""
    return status_list_response(json_document(documents.status_list_with_proof(*revoked_award_ids())))


@bp.route("/jwks.json")
@allow(ANYONE)
def jwks():
    """The issuer's public signing key (never the private part), as a JWK Set."""
    response = Response(json.dumps(documents.jwks(), indent=2), mimetype="application/jwk-set+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@well_known.route("/.well-known/jwks.json")
@allow(ANYONE)
def well_known_jwks():
    """The same key set at the address JOSE tools look for it."""
    return jwks()


@bp.route("/keys/")
@bp.route("/keys/<thumbprint>")
@allow(ANYONE)
def signing_keys(thumbprint: str = ""):
    """One key: a VC-JWT signing key as a JWK at the address its `kid` names (its thumbprint), or a Data Integrity
    proof key as a Multikey document at the address a proof's verificationMethod names (its multibase); 404 for
    any other."""
    from badges import data_integrity

    for key in documents.proof_keys():
        if data_integrity.public_key_multibase(key) == thumbprint:
            return json_document(documents.multikey(key))
    jwk = documents.signing_jwk(thumbprint)
    if jwk is None:
        abort(404)
    response = Response(json.dumps(jwk, indent=2), mimetype="application/jwk+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/credential-issuer")
@allow(ANYONE)
def credential_issuer():
    """The issuer of the OB 3.0 credentials as a controller document: the keys of its Data Integrity proofs."""
    return json_document(documents.controller_document())


@bp.route("/verify/<public_id>")
@allow(ANYONE)
def verify(public_id: str):
    """The public verification page: badge, issuer, date, criteria, evidence and validity. A revoked award's page
    says so and no longer names its earner or their evidence (the revocation list leads anyone to it), as its
    Open Badges documents no longer carry the recipient."""
    award = find_award(public_id)
    return render_template(
        "badges/verify.html",
        award=award,
        badge=award.badge_class,
        earner=None if award.revoked else public_name(award.user_id),
        evidence=None if award.revoked else documents.evidence_text(award),
        issuer_name=current_app.config["BADGE_ISSUER_NAME"],
    )


# --- the learner's badges ----------------------------------------------------------------------------------


@bp.route("/assertions/<public_id>/certificate.pdf")
@allow(SIGNED_IN)
def certificate(public_id: str):
    """The course certificate of a course badge (`?paper=a4` or `letter`), for the learner who holds it; to anyone
    else, and for a module's badge or a revoked one, a 404."""
    award = find_award(public_id)
    if award.user_id != current_user.id or award.badge_class.module_id is not None or award.revoked:
        abort(404)
    paper = request.args.get("paper", "a4")
    if paper not in PAPER_SIZES:
        fail(400, "Choose the paper size a4 or letter.")
    verify_url = documents.external("badges.verify", public_id=award.public_id)
    found = certificate_for(award, verify_url, current_app.config["BADGE_ISSUER_NAME"])
    name = f"{award.badge_class.slug}-certificate-{paper}.pdf"
    return Response(
        certificate_pdf(found, paper),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def certificate_links(award: Award) -> list[tuple[str, str]]:
    """The certificate downloads of a course badge: (text, url) for each paper size."""
    return [
        (f"Certificate ({label}, PDF)", url_for("badges.certificate", public_id=award.public_id, paper=paper))
        for paper, label in PAPER_SIZES.items()
    ]


def linkedin_url(award: Award) -> str:
    """LinkedIn's add-to-profile link for a certification."""
    issued = award.issued_at
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": award.badge_class.name,
            "organizationName": current_app.config["BADGE_ISSUER_NAME"],
            "issueYear": issued.year,
            "issueMonth": issued.month,
            "certUrl": documents.external("badges.verify", public_id=award.public_id),
            "certId": award.public_id,
        }
    )


@bp.route("/mine")
@allow(SIGNED_IN)
def mine():
    """The signed-in learner's badges with downloads and share links, and the name their public pages show."""
    choice = name_choice(current_user.id)
    return mine_page(PublicNameForm(data={"shown_name": choice.shown_name, "hidden": choice.hidden}))


def mine_page(name_form: "PublicNameForm") -> str:
    """The "My badges" page with this name form."""
    awards = db.session.scalars(
        select(Award).where(Award.user_id == current_user.id).order_by(Award.issued_at.desc())
    ).all()
    return render_template(
        "badges/mine.html",
        awards=awards,
        name_form=name_form,
        certificate_links=certificate_links,
        linkedin_url=linkedin_url,
        verify_url=lambda a: documents.external("badges.verify", public_id=a.public_id),
    )


def plain_or_empty(form, field) -> None:
    """WTForms validator: empty (the display name is shown), or a name with no invisible or control characters."""
    if (field.data or "").strip():
        plain_name(form, field)


class PublicNameForm(FlaskForm):
    """The name a learner shows on the public pages of their badges."""

    shown_name = StringField(
        "Name on your public badge pages",
        validators=[Length(max=80, message="Keep the name under 80 characters."), plain_or_empty],
        description="Leave empty to use your display name. Employers who open a badge link see this name.",
    )
    hidden = BooleanField(
        "Hide my name",
        description="The pages then say the badge is valid without naming anyone.",
    )


@bp.route("/mine/name", methods=["POST"])
@allow(SIGNED_IN)
def public_name_choice():
    """Keep the learner's choice of the name on their public badge pages."""
    form = PublicNameForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            fail(400, "This form has expired or was not sent from this site. Reload the page and try again.")
        return mine_page(form), 400
    choose_public_name(current_user.id, form.shown_name.data or "", bool(form.hidden.data))
    if form.hidden.data:
        flash("Saved: your public badge pages say the badge is valid without naming you.", "success")
    else:
        flash(f"Saved: your public badge pages name you as {public_name(current_user.id)}.", "success")
    return redirect(url_for("badges.mine"))


# --- admin -------------------------------------------------------------------------------------------------


class BadgeTextForm(FlaskForm):
    """Edit a badge's description and criteria."""

    description = TextAreaField(
        "Description",
        validators=[
            DataRequired("Write what the badge says its holder can do."),
            Length(max=2000, message="Keep the description to 2,000 characters."),
        ],
    )
    criteria = TextAreaField(
        "Criteria",
        validators=[
            DataRequired("Write what a learner does to earn the badge."),
            Length(max=4000, message="Keep the criteria to 4,000 characters."),
        ],
    )


class RevokeForm(FlaskForm):
    """Revoke an award, with a reason."""

    reason = StringField("Reason for revoking", validators=[DataRequired(), Length(max=500)])
    public = BooleanField("Publish the reason on the verification page and in the badge documents")
    with_course = BooleanField("Also revoke their course badge, with the same reason")


@bp.route("/admin/")
@allow("admin")
def admin():
    """Badge classes with their text, and the awards, newest first, a page at a time, each with a way to revoke it."""
    return admin_page()


def admin_page(edited: tuple[int, BadgeTextForm] | None = None, status: int = 200):
    """The badge admin page; `edited`: a badge's text form as posted, shown with its errors in place of the saved
    text."""
    badges = db.session.scalars(select(BadgeClass).order_by(BadgeClass.course_id, BadgeClass.id)).all()
    # Keyset paging on the id (newest first): any page costs the same, however many awards there are.
    before = id_arg("before")
    learner = (request.args.get("q") or "").strip()[:200]
    badge_id = id_arg("badge")
    if badge_id not in {badge.id for badge in badges}:
        badge_id = None  # no such badge (a hand-edited address): every award, as the filter then shows
    query = select(Award).order_by(Award.id.desc()).limit(AWARDS_PER_PAGE + 1)
    if before is not None:
        query = query.where(Award.id < before)
    if learner.split():  # the awards of the learners whose name or email has words starting so (the user search)
        query = query.where(Award.user_id.in_(select(matching_ids(learner).c.user_id)))
    if badge_id is not None:  # one badge's awards, newest first, from an index of badge and award
        query = query.where(Award.badge_class_id == badge_id)
    awards = db.session.scalars(query).all()
    older = awards[AWARDS_PER_PAGE - 1].id if len(awards) > AWARDS_PER_PAGE else None
    awards = awards[:AWARDS_PER_PAGE]
    from lms.models import User

    # Each learner by name and email, as the user list shows them: an email alone was hard to recognize.
    holders = select(User.id, User.display_name, User.email).where(User.id.in_({a.user_id for a in awards}))
    users = {user_id: f"{name} ({email})" for user_id, name, email in db.session.execute(holders)}
    return render_template(
        "badges/admin.html",
        badges=badges,
        awards=awards,
        users=users,
        older=older,
        paged=before is not None,
        learner=learner,
        badge_id=badge_id,
        filters={"q": learner or None, "badge": badge_id},
        text_form=BadgeTextForm,
        edited=edited,
        action_form=ActionForm(),
    ), status


@bp.route("/admin/<int:badge_id>", methods=["POST"])
@allow("admin")
def edit(badge_id: int):
    """Save a badge's new description and criteria."""
    form = BadgeTextForm()
    if not form.validate_on_submit():
        # Back to the page with what was typed kept beside the reason, not an error page that loses it.
        flash("The badge's text was not saved: see the reason beside it.", "error")
        return admin_page((badge_id, form), 400)
    try:
        badge = edit_badge(current_user, badge_id, form.description.data, form.criteria.data)
    except ServiceError as exc:
        fail(exc.status, exc.message)
    flash(f"Saved the text of “{badge.name}”.", "success")
    return redirect(url_for("badges.admin"))


@bp.route("/admin/awards/<public_id>/revoke", methods=["GET", "POST"])
@allow("admin")
def revoke_award(public_id: str):
    """Ask the admin to confirm revoking an award, with a reason; revoke it once they do."""
    if not PUBLIC_ID.fullmatch(public_id):
        abort(404)
    award = db.session.scalar(select(Award).where(Award.public_id == public_id))
    if award is None:
        abort(404)
    if award.revoked:
        fail(409, "This badge has already been revoked.")
    form = RevokeForm()
    # The admin's search and badge filter, kept for the way back.
    back_to: dict[str, Any] = {"q": (request.args.get("q") or "").strip()[:100] or None, "badge": id_arg("badge")}
    course_award = course_award_resting_on(award)
    if form.validate_on_submit():
        name = award.badge_class.name
        also = course_award if course_award is not None and form.with_course.data else None
        also_name = also.badge_class.name if also else ""
        try:
            revoke(
                current_user,
                public_id,
                form.reason.data,
                public=form.public.data,
                also=also.public_id if also else None,
            )
        except ServiceError as exc:
            fail(exc.status, exc.message)
        if also is None:
            flash(f"The badge “{name}” has been revoked.", "success")
        else:
            flash(f"The badges “{name}” and “{also_name}” have been revoked.", "success")
        return redirect(url_for("badges.admin", **back_to))
    from lms.models import User

    holder = db.session.execute(select(User.display_name, User.email).where(User.id == award.user_id)).one()
    status = 400 if request.method == "POST" else 200  # sent without a reason: the page again, with the error
    return (
        render_template(
            "badges/revoke.html", award=award, holder=holder, form=form, course_award=course_award, back_to=back_to
        ),
        status,
    )


@bp.route("/admin/reissue", methods=["POST"])
@allow("admin")
def reissue():
    """Issue the badges of completions the badge listener failed on."""
    if not ActionForm().validate_on_submit():
        abort(400)
    delivered, failing = reissue_missing(current_user)
    if failing:
        done = count_of(delivered, "completion")
        flash(f"Issued the badges of {done}; {failing} still fail (see the server log).", "error")
    elif delivered:
        flash(f"Issued the badges of {count_of(delivered, 'completion')} that had failed.", "success")
    else:
        flash("No badge was missing: every completion so far has its badges.", "success")
    return redirect(url_for("badges.admin"))

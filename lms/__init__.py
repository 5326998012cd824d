"""The LMS core: the app factory and what every plugin builds on."""

import dataclasses
import gc
import pathlib

import pluggy
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lms import access, errors, security
from lms.auth.login import init_login
from lms.db import (
    configure_engine,
    ping_after_idle,
    read_outside_transaction,
    watch_statements_outside_transaction,
)
from lms.events import drain_once_per_process
from lms.extensions import csrf, db
from lms.flask_app import LmsFlask
from lms.forms import MAX_ROW_ID, error_messages
from lms.fragments import remembered
from lms.input_guard import refuse_control_characters
from lms.mail import init_mail
from lms.migrations_cli import add_migration_commands
from lms.plugins import build_plugin_manager, collect_unique, in_registration_order
from lms.secret_key import ensure_secret_key
from lms.signatures import remember_signatures
from lms.timezones import init_timezones
from lms.wording import count_of

ROOT = pathlib.Path(__file__).resolve().parent.parent


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` limited to the database's integer range, so an oversized id is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


@dataclasses.dataclass
class LMSState:
    """What one app instance holds: its plugin manager and what the plugins contributed."""

    pm: pluggy.PluginManager
    limiter: Limiter
    outbox_drained: bool = False  # whether this process has delivered what a stopped one left in the outbox


def load_config(app: Flask, config) -> None:
    """Apply a config class, instance, dict or name ("default", "test", "production") to the app."""
    import config as config_module

    named = {
        None: config_module.Config,
        "default": config_module.Config,
        "test": config_module.TestConfig,
        "production": config_module.ProductionConfig,
    }
    if isinstance(config, str) or config is None:
        config = named[config]
    if isinstance(config, dict):
        app.config.from_object(config_module.Config)
        app.config.update(config)
        return
    if isinstance(config, type):
        config = config()
    app.config.from_object(config)


def check_password_hashing(app: Flask) -> None:
    """Refuse to start outside the test suite with a password hashing method other than scrypt."""
    method = app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method != "scrypt" and not app.config.get("TESTING"):
        raise RuntimeError(f"PASSWORD_HASH_METHOD {method!r} is for the test suite only; use scrypt.")


def create_app(config=None) -> Flask:
    """Build a configured LMS app with its plugins; creates no schema, and writes nothing but a first secret."""
    app = LmsFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    load_config(app, config)
    ensure_secret_key(app)
    check_password_hashing(app)
    app.url_map.converters["int"] = DatabaseIntConverter
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    db.init_app(app)
    add_migration_commands(app)
    csrf.init_app(app)
    remember_signatures(app)
    init_login(app)
    init_mail(app)
    init_timezones(app)
    app.add_template_filter(error_messages, "messages")
    app.add_template_filter(count_of, "count_of")
    with app.app_context():
        engine = db.engine
        configure_engine(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        ping_after_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
        if engine.dialect.name == "postgresql":
            # First of all hooks: the signed-in person is loaded by a later one, and is read outside a transaction.
            app.before_request_funcs.setdefault(None, []).insert(0, read_outside_transaction(engine))
            if app.config["CHECK_STATEMENTS_IN_TRANSACTION"]:
                watch_statements_outside_transaction(app, engine)

    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        default_limits=[],
    )
    pm = build_plugin_manager(app.config["LMS_PLUGINS"], app.config["LMS_LOAD_ENTRY_POINTS"])
    state = LMSState(pm=pm, limiter=limiter)
    app.extensions["lms"] = state

    pm.hook.lms_init_app(app=app)
    for blueprint in collect_unique(pm.hook.lms_blueprints(app=app), lambda bp: bp.name, "blueprint").values():
        app.register_blueprint(blueprint)
    for commands in pm.hook.lms_cli_commands(app=app):
        for command in commands or ():
            app.cli.add_command(command)

    access.wrap_static(app)
    apply_rate_limits(app, limiter)
    # The app sets no limit on every request, and the limited views check their own limit when called: the
    # limiter's check before every request would only find nothing to do, at a twentieth of a page's time.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.before_request(refuse_control_characters)
    app.before_request(drain_once_per_process)
    app.before_request(access.enforce_access)
    app.after_request(security.add_security_headers)
    errors.register_error_handlers(app)
    register_template_helpers(app)
    if app.config["FREEZE_STARTUP_OBJECTS"]:
        freeze_startup()
    return app


def freeze_startup() -> None:
    """Collect what starting the app left behind, then move every object still alive (modules, the app, its
    mappers and routes) out of the cyclic garbage collector's sight.

    A full collection walked all of them, a pause of 45-60 ms in the middle of some request every few thousand
    requests; now it walks only what requests made, in a few milliseconds. What was frozen is still freed by
    reference counting; only a cycle among frozen objects that the app later drops would be kept."""
    gc.collect()
    gc.freeze()


def apply_rate_limits(app: Flask, limiter: Limiter) -> None:
    """Wrap views marked with `access.rate_limited` in this app's limiter."""
    for endpoint, view in list(app.view_functions.items()):
        marked = getattr(view, "lms_rate_limit", None)
        if marked:
            config_key, methods, key = marked
            limited = limiter.limit(app.config[config_key], methods=list(methods), key_func=key)(view)
            app.view_functions[endpoint] = limited  # type: ignore[assignment]


def register_template_helpers(app: Flask) -> None:
    """Expose navigation and role checks to every template."""
    from flask_login import current_user

    nav_by_role: dict[str | None, list] = {}  # the links depend on the role alone (see the hookspec)

    @app.context_processor
    def inject_helpers():
        user = current_user._get_current_object()  # once: each look through the proxy asks Flask-Login again

        def nav_links():
            role = user.role if user.is_authenticated else None
            links = nav_by_role.get(role)
            if links is None:
                links = in_registration_order(app.extensions["lms"].pm.hook.lms_nav_links(app=app, user=user))
                nav_by_role[role] = links
            return links

        return {
            "nav_links": nav_links,
            "has_role": lambda role: access.has_role(user, role),
            "site_name": app.config["SITE_NAME"],
            "remembered": remembered,
        }

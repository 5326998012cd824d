"""Mail: sent through SMTP where a mail server is configured, written to files under instance/outbox otherwise
(`make run`), so trying the LMS needs no mail server. Flask-Mailman does the sending.

Flask-Mailman is imported with the first message a process sends: most requests send none, and a web worker that
never mails never holds it (with the email package's MIME modules, half a megabyte).
"""

from email.headerregistry import Address

from flask import Flask, current_app

MAIL_STATE = "mailman"  # where Flask-Mailman looks for its settings among the app's extensions


def init_mail(app: Flask) -> None:
    """Read the app's mail settings (MAIL_BACKEND, MAIL_SERVER, ...) anew with the next message (again after a
    change of them)."""
    app.extensions.pop(MAIL_STATE, None)


def _mail_state():
    """Flask-Mailman's state for this app, made from its settings the first time a message goes."""
    state = current_app.extensions.get(MAIL_STATE)
    if state is None:
        from flask_mailman import Mail

        state = current_app.extensions[MAIL_STATE] = Mail.init_mail(current_app.config, current_app.testing)
    return state


def send_mail(to: str, subject: str, body: str, connection=None) -> bool:
    """Send one plain-text message (through `connection`, one of `mail_connection`, when many go at once);
    whether it went. A failure is logged, never shown: the person who asked for the mail is told the same
    whether or not it could be sent (or had anyone to go to)."""
    _mail_state()
    from flask_mailman import EmailMessage

    try:
        message = EmailMessage(subject=subject, body=body, to=[str(Address(addr_spec=to))], connection=connection)
        message.send()
    except (OSError, ValueError):  # smtplib's errors are OSErrors; an address mail cannot carry a ValueError
        current_app.logger.exception("mail to %s could not be sent", to)
        return False
    return True


def mail_connection():
    """One connection to the mail server for many messages (a context manager)."""
    return _mail_state().get_connection()

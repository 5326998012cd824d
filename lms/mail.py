"""Mail: sent through SMTP where a mail server is configured, written to files under instance/outbox otherwise
(`make run`), so trying the LMS needs no mail server. Flask-Mailman does the sending."""

from email.headerregistry import Address

from flask import Flask, current_app
from flask_mailman import EmailMessage, Mail


def init_mail(app: Flask) -> None:
    """Read the app's mail settings (MAIL_BACKEND, MAIL_SERVER, ...); again after a change of them."""
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)


def send_mail(to: str, subject: str, body: str, connection=None) -> bool:
    """Send one plain-text message (through `connection`, one of `mail_connection`, when many go at once);
    whether it went. A failure is logged, never shown: the person who asked for the mail is told the same
    whether or not it could be sent (or had anyone to go to)."""
    message = EmailMessage(subject=subject, body=body, to=[str(Address(addr_spec=to))], connection=connection)
    try:
        message.send()
    except (OSError, ValueError):  # smtplib's errors are OSErrors; a refused address a ValueError
        current_app.logger.exception("mail to %s could not be sent", to)
        return False
    return True


def mail_connection():
    """One connection to the mail server for many messages (a context manager)."""
    return current_app.extensions["mailman"].get_connection()

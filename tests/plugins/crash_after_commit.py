"""A test plugin that stands for a process killed right after a module's completion was committed.

Its listener runs first (it is registered last) and, on a module completion, ends the process's work the way
a kill would: by a BaseException no listener isolation catches, before any other listener hears the event.
"""

from lms.plugins import hookimpl


class ProcessDied(BaseException):
    """The stand-in for SIGKILL between the commit and the listeners."""


@hookimpl
def lms_event(event):
    """Die on a module completion."""
    if event.name == "module.completed":
        raise ProcessDied("killed after the commit, before the listeners")

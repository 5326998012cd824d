"""The LMS's Flask class: Flask, with the in-page links it builds, and which functions are synchronous,
remembered per process."""

from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any

from flask import Flask
from flask.globals import _cv_request

from lms.memo import remember

# A page builds a dozen links (navigation, breadcrumbs, forms, assets) whose text depends only on the rule, its
# values and where the app is mounted; building each anew through the URL map was a tenth of a lesson page.
# Distinct links kept; past it the memo starts again, so memory stays bounded (about 300 bytes each: 1.2 MB at
# most). The links pages share are a few hundred; those of one attempt or learner are seldom built twice.
URL_MEMO_LIMIT = 4_000
MEMO_VALUE_TYPES = (str, int, type(None))
# Flask asks whether each hook and view is a coroutine function every time it calls one, some twenty times a
# request; the answer is in the function's code, which never changes. (A function marked a coroutine function
# by `inspect.markcoroutinefunction`, from Python 3.12, would carry it on itself instead: the app marks none.)
SYNC_MEMO_LIMIT = 1_000  # code objects kept; past it the memo starts again


class LmsFlask(Flask):
    """Flask whose `url_for` remembers the relative links it built, per mount point, rule and values, and whose
    `ensure_sync` remembers which functions' code is synchronous."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_memo: dict[tuple, str] = {}
        self.synchronous_code: dict[CodeType, bool] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        """Flask's `ensure_sync`; for a plain function, whether it is a coroutine function is worked out once per
        code object (not per function, so closures made afresh for a request, such as `after_this_request`
        callbacks, are never kept)."""
        if type(func) is not FunctionType:
            return super().ensure_sync(func)
        synchronous = self.synchronous_code.get(func.__code__)
        if synchronous is None:
            synchronous = super().ensure_sync(func) is func
            remember(self.synchronous_code, func.__code__, synchronous, SYNC_MEMO_LIMIT)
        return func if synchronous else super().ensure_sync(func)

    def url_for(  # type: ignore[override]
        self,
        endpoint: str,
        /,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Flask's `url_for`; a relative link built in a request before is returned from the memo."""
        request_context = _cv_request.get(None)
        if request_context is None or _external or _scheme is not None or self.url_default_functions:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        if endpoint[:1] == ".":  # relative to the current blueprint: resolved by Flask, and not remembered
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=_external, **values)
        adapter = request_context.url_adapter
        if adapter is None or not all(type(value) in MEMO_VALUE_TYPES for value in values.values()):
            # A list of query values cannot be a key, and True would share the key of 1: built every time.
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=_external, **values)
        key = (adapter.script_name, endpoint, _anchor, _method, *sorted(values.items()))
        url = self.url_memo.get(key)
        if url is None:
            url = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=_external, **values)
            remember(self.url_memo, key, url, URL_MEMO_LIMIT)
        return url

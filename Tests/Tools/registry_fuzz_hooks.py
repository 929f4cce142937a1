"""Schemathesis hook of registry_fuzz.py: keeps the long-polls of GET /v1/notify short.

A valid `after` at or above the served version makes the server wait `timeout` seconds (30 when
it is left out, up to 60), so one generated case could spend a quarter of the run's budget, and
schemathesis' request timeout would report it as an error. A timeout that is absent or may be a
number above WAIT_SECONDS is replaced by WAIT_SECONDS before the request is sent, and the answer
is checked as for any other; a timeout the server refuses (negative, not a number) is kept.
The wait itself is tested in Tests/RegistryTests/NotifyTests.swift.
"""
import math
import re

import schemathesis

WAIT_SECONDS = "0.01"
DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def short_wait(value):
    """True when the server would wait at most WAIT_SECONDS or refuse the value at once."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = str(value)
    if not any(character.isdigit() for character in text):
        return True
    if not DECIMAL.fullmatch(text):
        return False
    number = float(text)
    return number < 0 or math.isnan(number) or number <= float(WAIT_SECONDS)


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path != "/v1/notify":
        return
    query = dict(case.query or {})
    if not short_wait(query.get("timeout")):
        query["timeout"] = WAIT_SECONDS
        case.query = query


@schemathesis.check
def documented_headers_sent_once(ctx, response, case):
    """A documented header arrives once: schemathesis validates only the first of repeated
    fields, and two Cache-Control fields with opposite policies would pass it unseen."""
    definition = case.operation.responses.find_by_status_code(response.status_code)
    if definition is None or not definition.headers:
        return None
    repeated = [name for name, _ in definition.headers.items() if len(response.headers.get(name.lower(), [])) > 1]
    if repeated:
        raise AssertionError(f"Sent more than once: {', '.join(repeated)} "
                             f"({'; '.join(' | '.join(response.headers[name.lower()]) for name in repeated)})")
    return None

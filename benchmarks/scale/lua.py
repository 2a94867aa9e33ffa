"""The wrk script for one endpoint: its paths in turn (or one new referral per request), the caller's credentials,
and a result line (requests, unexpected answers, socket errors, latency percentiles in microseconds) as JSON."""

from __future__ import annotations

import json
from typing import Any

# The first bodies went to count_queries (a warming request and the counted one).
BODIES_USED_BEFORE = 2

TEMPLATE = r"""
local method = %(method)s
local paths = %(paths)s
local bodies = %(bodies)s
local headers = %(headers)s
local expect = %(expect)d
local run_id = %(run_id)s
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  sent = 0
end

function request()
  sent = sent + 1
  if bodies ~= nil then
    local i = %(first_body)d + sent
    local h = {}
    for k, v in pairs(headers) do h[k] = v end
    h["Idempotency-Key"] = "scale-" .. run_id .. "-" .. i
    return wrk.format("POST", paths[1], h, bodies[(i - 1) %% #bodies + 1])
  end
  return wrk.format(method, paths[(sent - 1) %% #paths + 1], headers)
end

function response(status, hdrs, body)
  if status ~= expect then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, t in ipairs(threads) do unexpected = unexpected + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "bad": %%d, "socket_errors": %%d, ' ..
    '"p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\n',
    summary.requests, summary.duration, unexpected, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _lua(value: Any) -> str:
    """A Lua literal of a string, list of strings or string-keyed table (JSON strings are valid Lua strings here:
    only ASCII, quotes and backslashes, which both escape alike)."""
    if value is None:
        return "nil"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    return "{" + ", ".join(f"[{json.dumps(k)}] = {_lua(v)}" for k, v in value.items()) + "}"


def lua_script(endpoint: dict[str, Any], headers: dict[str, str], *, run_id: str) -> str:
    headers = dict(headers)
    if endpoint["method"] == "POST":
        headers["Content-Type"] = "application/json"
    return TEMPLATE % {
        "method": _lua(endpoint["method"]),
        "paths": _lua([endpoint["path"]] if endpoint["method"] == "POST" else endpoint["paths"]),
        "bodies": _lua(endpoint.get("bodies")),
        "headers": _lua(headers),
        "expect": endpoint["expect"],
        "run_id": _lua(run_id),
        "first_body": BODIES_USED_BEFORE,
    }

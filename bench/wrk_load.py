"""Load from wrk (C, epoll, LuaJIT): pre-signed, all-distinct deliveries at little CPU cost to the machine.

The bodies are cut where their ids go (webhook_intake._templates); Python signs every body the run may
send beforehand into a file of signatures, one per line, and a generated Lua script joins the pieces
around the n-th number and sends it with the n-th signature. Each wrk thread takes every k-th number
from its own offset, so no two requests carry the same body. Latency percentiles and the count of
each status come from the script's done() callback, in microseconds.
"""

from __future__ import annotations

import hmac
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

WRK = "wrk"
MAX_RATE = 6000  # deliveries a second the signature file is sized for; past it bodies would repeat

_SCRIPT = r"""
local templates = {%(templates)s}
local first, count, nthreads = %(first)d, %(count)d, %(threads)d
local post = %(post)s
local path = "%(path)s"
local threads, next_tid = {}, 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  statuses, repeated = {}, 0
  k = tid
  sigs = {}
  if post then
    for line in io.lines("%(signatures)s") do sigs[#sigs + 1] = line end
  end
end

function request()
  if not post then return wrk.format("GET", path) end
  local i = k
  k = k + nthreads
  if i >= count then repeated = repeated + 1; i = i %% count end
  local n = first + i
  local t = templates[(n %% #templates) + 1]
  local headers = {
    ["Content-Type"] = "application/json", ["X-Discourse-Event"] = t[1],
    ["X-Discourse-Event-Type"] = t[2], ["X-Discourse-Event-Id"] = tostring(n),
    ["X-Discourse-Instance"] = "http://127.0.0.1:4200",
    ["X-Discourse-Event-Signature"] = "sha256=" .. sigs[i + 1], ["User-Agent"] = "Discourse/bench",
  }
  return wrk.format("POST", path, headers, table.concat(t[3], tostring(1000000 + n)))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all, rep = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do all[status] = (all[status] or 0) + n end
    rep = rep + thread:get("repeated")
  end
  local e = summary.errors
  io.write(string.format("CODEV duration_us=%%d requests=%%d p50_us=%%d p99_us=%%d repeated=%%d "
    .. "errors=%%d", summary.duration, summary.requests, latency:percentile(50),
    latency:percentile(99), rep, e.connect + e.read + e.write + e.timeout))
  for status, n in pairs(all) do io.write(string.format(" status_%%d=%%d", status, n)) end
  io.write("\n")
end
"""


def available() -> str | None:
    """The path of wrk, or None."""
    return shutil.which(WRK)


def _lua_string(data: bytes) -> str:
    """A Lua string literal for any bytes: printable ASCII as is, the rest as 3-digit decimal escapes."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}" for b in data) + '"'


def write_script(folder: Path, path: str, templates: Sequence[tuple[str, str, list[bytes]]], secret: str,
                 first: int, count: int, threads: int) -> Path:
    """The Lua script for one run (and, for POST, its file of `count` signatures from number `first`)."""
    post = path != "/healthz"
    signatures = folder / f"signatures-{first}.txt"
    if post:
        key = secret.encode()
        with signatures.open("w") as out:
            for i in range(count):
                n = first + i
                _, _, pieces = templates[n % len(templates)]
                out.write(hmac.digest(key, str(1_000_000 + n).encode().join(pieces), "sha256").hex() + "\n")
    lua_templates = ", ".join(
        f"{{{_lua_string(event.encode())}, {_lua_string(event_type.encode())}, "
        f"{{{', '.join(_lua_string(p) for p in pieces)}}}}}"
        for event, event_type, pieces in templates)
    script = folder / f"load-{first}.lua"
    script.write_text(_SCRIPT % {"templates": lua_templates, "first": first, "count": count,
                                 "threads": threads, "post": "true" if post else "false", "path": path,
                                 "signatures": str(signatures)})
    return script


def run(script: Path, port: int, seconds: float, threads: int, connections: int) -> dict[str, int]:
    """Run wrk; the numbers of the script's CODEV line (durations and latencies in microseconds)."""
    command = [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s", "--timeout", "30s",
               "-s", str(script), f"http://127.0.0.1:{port}/"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("CODEV ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    return {key: int(value) for key, value in (field.split("=") for field in line.split()[1:])}

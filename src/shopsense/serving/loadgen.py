"""An open-loop HTTP load generator: ``python -m shopsense.serving.loadgen --url … --rate R --duration S``.

Request i is *scheduled* at t₀ + i / R whatever happened to earlier ones (open loop, as wrk2 and vegeta
do), and its latency is measured from that scheduled time to the last byte of the response, so a
stalled server shows up as latency instead of silently lowering the offered rate (no coordinated
omission; Tene, "How NOT to measure latency", 2015). Requests go over persistent HTTP/1.1 connections
(a new one is opened whenever all are busy) with a minimal asyncio client, so the generator itself stays
cheap on a small machine. Prints one JSON object: offered and achieved rates, latency percentiles
(ms), status counts, errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

import numpy as np


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, request: bytes) -> int:
        """Send one GET, read the whole response; returns the status code."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next((int(v) for k, _, v in (line.partition(":") for line in lines[1:]) if k.lower() == "content-length"), 0)
        await self.reader.readexactly(length)
        return status


async def run(url: str, paths: list[str], headers: dict[str, str], rate: float, duration: float) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = [f"GET {p} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() for p in paths]
    idle: list[Connection] = []
    total = int(rate * duration)
    latency = np.full(total, np.nan)
    statuses: dict[str, int] = {}
    errors: list[str] = []

    async def send(request: bytes) -> tuple[Connection, int]:
        """Over an idle connection if there is one; a connection the server closed while idle (keep-alive
        timeout) is replaced by a new one once, as HTTP clients do."""
        if idle:
            connection = idle.pop()
            try:
                return connection, await connection.get(request)
            except (OSError, asyncio.IncompleteReadError):
                connection.writer.close()
        connection = Connection(*await asyncio.open_connection(host, port))
        return connection, await connection.get(request)

    async def one(i: int, scheduled: float) -> None:
        try:
            connection, status = await send(requests[i % len(requests)])
            latency[i] = time.perf_counter() - scheduled
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            idle.append(connection)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(i, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    done = latency[~np.isnan(latency)] * 1000
    ok = statuses.get("200", 0)
    percentiles = {f"p{q}": float(np.percentile(done, q)) if len(done) else None for q in (50, 90, 95, 99, 99.9)}
    return {
        "offered_rate": rate, "duration_s": duration, "requests": total, "completed": len(done),
        "achieved_rate": len(done) / elapsed, "ok": ok, "statuses": statuses, "errors": len(errors) + len(done) - ok,
        "error_samples": errors[:5], "latency_ms": {**percentiles, "max": float(done.max()) if len(done) else None,
                                                    "mean": float(done.mean()) if len(done) else None},
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--paths", required=True, help="file with one request path per line, used round-robin")
    parser.add_argument("--header", action="append", default=[], help="NAME: VALUE (repeatable)")
    parser.add_argument("--rate", type=float, required=True, help="requests per second (fixed schedule)")
    parser.add_argument("--duration", type=float, required=True, help="seconds")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0:
        parser.error("--rate and --duration must be positive")
    paths = [line for line in open(args.paths, encoding="utf-8").read().splitlines() if line]  # noqa: SIM115
    headers = dict(h.split(": ", 1) for h in args.header)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    json.dump(asyncio.run(run(args.url, paths, headers, args.rate, args.duration)), sys.stdout)


if __name__ == "__main__":
    main()

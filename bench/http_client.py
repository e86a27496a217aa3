"""A small HTTP client for the benchmark: a signed-in session, timed requests, and N connections at once.

Standard library only (http.client): wrk is not installed on our machines, and `requests` is not a
dependency. gunicorn's sync workers close every connection after the response, so each request opens
its own, as a browser's would against this server.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str]


class Session:
    """Cookies of one signed-in person against one server."""

    def __init__(self, host: str, port: int, timeout: float = 60.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return Reply(response.status, content, seconds, {k.lower(): v for k, v in response.getheaders()})

    def get(self, path: str, headers: dict | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def sign_in(self, username: str, password: str) -> None:
        """Through the login form, as a person does: the form's CSRF token, then the POST."""
        form = self.get("/accounts/login/")
        match = CSRF_FIELD.search(form.body.decode("utf-8", "replace"))
        if form.status != 200 or not match:
            raise RuntimeError(f"the login page answered {form.status} without a form")
        reply = self.request(
            "POST",
            "/accounts/login/",
            body=urlencode({"username": username, "password": password, "csrfmiddlewaretoken": match[1]}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/accounts/login/",
            },
        )
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username} failed (HTTP {reply.status})")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 50 values is the 48th)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Latency:
    requests: int
    median_ms: float
    p95_ms: float
    bytes: int
    statuses: dict[int, int] = field(default_factory=dict)


def measure_latency(
    session: Session, path: str, *, minimum: int, seconds: float, cap_seconds: float, maximum: int = 1000
) -> Latency:
    """One request after another: at least `minimum` (unless `cap_seconds` runs out first), going on
    until `seconds` have passed or `maximum` were made."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    size = 0
    started = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - started
        if len(times) >= maximum or elapsed >= cap_seconds:
            break
        if len(times) >= minimum and elapsed >= seconds:
            break
        reply = session.get(path)
        times.append(reply.seconds * 1000)
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
        size = len(reply.body)
    return Latency(
        requests=len(times),
        median_ms=statistics.median(times),
        p95_ms=percentile(times, 0.95),
        bytes=size,
        statuses=statuses,
    )


def measure_alternating(
    session: Session,
    path: str,
    floor_path: str,
    *,
    minimum: int,
    seconds: float,
    cap_seconds: float,
    maximum: int = 1000,
) -> tuple[Latency, Latency]:
    """The page and the floor (`/healthz`) one after the other, in turn: whatever load the machine is
    under in those seconds weighs on both, so the page's median over the floor's holds on any host.
    Stops like measure_latency (counting the page's requests); returns (page, floor)."""
    times: dict[str, list[float]] = {path: [], floor_path: []}
    statuses: dict[str, dict[int, int]] = {path: {}, floor_path: {}}
    sizes = {path: 0, floor_path: 0}
    started = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - started
        done = len(times[path])
        if done >= maximum or elapsed >= cap_seconds or (done >= minimum and elapsed >= seconds):
            break
        for asked in (path, floor_path) if done % 2 == 0 else (floor_path, path):
            reply = session.get(asked)
            times[asked].append(reply.seconds * 1000)
            statuses[asked][reply.status] = statuses[asked].get(reply.status, 0) + 1
            sizes[asked] = len(reply.body)
    page, floor = (
        Latency(
            requests=len(times[asked]),
            median_ms=statistics.median(times[asked]),
            p95_ms=percentile(times[asked], 0.95),
            bytes=sizes[asked],
            statuses=statuses[asked],
        )
        for asked in (path, floor_path)
    )
    return page, floor


@dataclass
class Throughput:
    connections: int
    seconds: float
    requests: int
    per_second: float
    median_ms: float
    p95_ms: float
    errors: int


def measure_throughput(session: Session, path: str, *, connections: int, seconds: float) -> Throughput:
    """`connections` clients requesting the page back to back for `seconds`; requests/s completed."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        own = Session(session.host, session.port, session.timeout)
        own.cookies = dict(session.cookies)
        while time.perf_counter() < deadline:
            try:
                reply = own.get(path)
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                if reply.status == 200:
                    times.append(reply.seconds * 1000)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Throughput(
        connections=connections,
        seconds=round(elapsed, 2),
        requests=len(times),
        per_second=len(times) / elapsed if elapsed else 0.0,
        median_ms=statistics.median(times) if times else 0.0,
        p95_ms=percentile(times, 0.95) if times else 0.0,
        errors=errors[0],
    )

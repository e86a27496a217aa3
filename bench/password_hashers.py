"""What a sign-in costs in password hashing on this machine: PBKDF2 (Django 5.2's default) against Argon2id
(the hasher Django recommends for new projects), each with Django's own parameters (issue 14).

    python -m bench.password_hashers [--rounds 15] [--sign-in]
    python -m bench.password_hashers --url http://127.0.0.1:8000 --username staff --password mbashe-demo

The first form times `check_password` (what a sign-in runs once) and `make_password` (a password change)
for both hashers, in this process, and prints the median and the range. With --sign-in it also posts the
sign-in form through Django's whole stack (middleware, django-axes, the session) in this process, once
with each hasher first in PASSWORD_HASHERS, for a throw-away user in the database the settings name
(DATABASE_URL, or the SQLite file under VAR_DIR): the sign-in time before and after. With --url it signs
in through a running server's page --rounds times (GET the form, POST it, follow nothing): the whole
request, as a person waits for it. Nothing here is imported by the product.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

HASHERS = {
    "PBKDF2-SHA256": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "Argon2id": "django.contrib.auth.hashers.Argon2PasswordHasher",
}
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - a bench value, hashed and thrown away


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def _figures(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):7.0f} ms   min {ms[0]:6.0f}   max {ms[-1]:6.0f}"


def measure_hashers(rounds: int) -> dict[str, dict[str, list[float]]]:
    from django.utils.module_loading import import_string

    results = {}
    for label, path in HASHERS.items():
        hasher = import_string(path)()
        encoded = hasher.encode(PASSWORD, hasher.salt())
        verify, encode = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            if not hasher.verify(PASSWORD, encoded):
                raise SystemExit(f"{label} did not verify its own hash")
            verify.append(time.perf_counter() - started)
            started = time.perf_counter()
            hasher.encode(PASSWORD, hasher.salt())
            encode.append(time.perf_counter() - started)
        results[label] = {"verify": verify, "encode": encode, "params": _params(hasher, encoded)}
    return results


def _params(hasher, encoded: str) -> str:
    summary = hasher.decode(encoded)
    if "iterations" in summary:
        return f"{summary['iterations']:,} iterations"
    return (
        f"time cost {summary['time_cost']}, memory {summary['memory_cost'] // 1024} MiB, "
        f"parallelism {summary['parallelism']}"
    )


def measure_client_sign_in(rounds: int) -> dict[str, list[float]]:
    """Seconds per POST of the sign-in form through Django's test client, with each hasher first."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    results = {}
    user = get_user_model().objects.create(username="bench-password-hashers")
    try:
        for label, path in HASHERS.items():
            hashers = [path, *(h for h in settings.PASSWORD_HASHERS if h != path)]
            with override_settings(PASSWORD_HASHERS=hashers):
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
                times = []
                for _ in range(rounds):
                    client = Client(HTTP_HOST="localhost")
                    started = time.perf_counter()
                    answer = client.post(
                        "/accounts/login/", {"username": user.username, "password": PASSWORD}
                    )
                    times.append(time.perf_counter() - started)
                    if answer.status_code != 302:
                        raise SystemExit(f"the sign-in answered {answer.status_code}, not a redirect")
                results[label] = times
    finally:
        user.delete()
    return results


def measure_sign_in(url: str, username: str, password: str, rounds: int) -> list[float]:
    """Seconds from POSTing the sign-in form to its answer (a redirect on success), each in a fresh
    session."""
    times = []
    login = url.rstrip("/") + "/accounts/login/"
    for _ in range(rounds):
        jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        form = opener.open(login, timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(login, data=body, headers={"Referer": login})  # noqa: S310
        started = time.perf_counter()
        try:
            opener.open(request, timeout=30)
            raise SystemExit("the sign-in did not redirect: wrong username or password?")
        except urllib.error.HTTPError as answer:
            if answer.code != 302:
                raise
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sign-in", action="store_true", help="also time a whole sign-in, in process")
    parser.add_argument("--url", help="a running server: also time its sign-in page")
    parser.add_argument("--username", default="staff")
    parser.add_argument("--password", default="mbashe-demo")
    args = parser.parse_args(argv)

    _setup_django()
    from django.conf import settings

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.rounds} rounds each")
    print(f"PASSWORD_HASHERS[0] here: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    for label, figures in measure_hashers(args.rounds).items():
        print(f"{label:<14} ({figures['params']})")
        print(f"  check_password  {_figures(figures['verify'])}")
        print(f"  make_password   {_figures(figures['encode'])}")
    if args.sign_in:
        for label, times in measure_client_sign_in(args.rounds).items():
            print(f"sign-in POST, {label + ' first':<20} {_figures(times)}")
    if args.url:
        times = measure_sign_in(args.url, args.username, args.password, args.rounds)
        print(f"sign-in POST at {args.url}: {_figures(times)}")


if __name__ == "__main__":
    main()

"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here, so the system Chromium is used. Without it the
browser tests are skipped on a developer machine and fail in CI (REQUIRE_SERVICES=1), where
.ci/run installs it.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("REQUIRE_SERVICES"):
        raise pytest.UsageError("Chromium is required for the browser tests in CI and was not found.")
    skip = pytest.mark.skip(reason="no Chromium on this machine (apt install chromium)")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def migration_data(transactional_db):
    """The rows our data migrations load (roles, sites, catalogue, SLAs), which a transactional test's flush
    removes.

    serialized_rollback cannot restore them here: Playwright's sync API runs the test in a greenlet with
    its own context, where Django's connection does not hold the serialized copy.
    """
    from tests.migration_data import load_migration_data

    load_migration_data()

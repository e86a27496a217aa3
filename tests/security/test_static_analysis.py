"""Item 15: bandit finds no high-severity issue in the project's code (medium ones, such as the reviewed
mark_safe calls, are covered by test_xss's allow-list). `manage.py check --deploy --fail-level WARNING`
under production settings is tests/servicedesk/test_settings.py (test_deploy_check_passes_...).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("common", "servicedesk", "accounts", "sites", "catalogue", "slas", "incidents", "reports")


def test_bandit_reports_no_high_severity_issue():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-r", *APPS, "-lll", "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    findings = [
        f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_text']}" for r in report["results"]
    ]
    assert findings == [], "\n".join(findings)
    assert report["errors"] == []
    scanned = report["metrics"]["_totals"]["loc"]
    assert scanned > 5000, "bandit scanned (almost) nothing: check the paths"

"""The tree's own hygiene, checked with the suite so CI enforces it: ruff, and models matching migrations."""

import ast
import functools
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")


def run(*command, env=None):
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def test_ruff_check_is_clean():
    result = run(str(RUFF), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run(str(RUFF), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_agree():
    result = run(sys.executable, "manage.py", "makemigrations", "--check", "--dry-run", env=os.environ.copy())
    assert result.returncode == 0, result.stdout + result.stderr


# --- The shape of the house (docs/architecture.md) ----------------------------------------------------
# The apps from the ground floor up. An app imports only the apps before it in this list, in its code
# (every module, migrations and management commands included) and in its templates ({% load %} of a tag
# library, {% include %} / {% extends %} of a template, and template names written in Python).
# `servicedesk` is the project layer: settings, URLs, the API router, the Celery app and the demo, which
# may import any app; no app imports it (settings are read through django.conf).
LAYERS = (
    "common",
    "accounts",
    "sites",
    "catalogue",
    "slas",
    "incidents",
    "problems",
    "changes",
    "mailin",
    "knowledge",
    "outages",
    "reports",
)
PROJECT_LAYER = "servicedesk"
# Project-wide templates (templates/: base, errors, sign-in) belong to the project layer.
PROJECT_TEMPLATES = "templates"

# Arrows that run the wrong way for now, each with its reason. Shrink it; never grow it without a
# reason written here and in docs/architecture.md ("Exceptions to the arrow").
# Modules of the project layer an app may still import, each with its reason. Empty since the roles and
# the access table moved to common.access; keep it empty.
ROLES_NOT_YET_IN_COMMON: set[str] = set()
ALLOWED_UPWARD_IMPORTS: dict[tuple[str, str], str] = {}  # (module of the app, module imported): why

_TEMPLATE_TAG = re.compile(r"{%\s*(load|include|extends)\s+(.+?)\s*%}")


def _owner_of_module(name: str) -> str | None:
    top = name.split(".")[0]
    return top if top in (*LAYERS, PROJECT_LAYER) else None


def _rank(owner: str) -> int:
    return len(LAYERS) if owner in (PROJECT_LAYER, PROJECT_TEMPLATES) else LAYERS.index(owner)


def _python_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: stays inside the app, resolved for completeness
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found += [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
    return found


def _tag_libraries() -> dict[str, str]:
    """{% load name %} -> the app that provides the library."""
    return {
        path.stem: app
        for app in (*LAYERS, PROJECT_LAYER)
        for path in (ROOT / app / "templatetags").glob("*.py")
        if path.stem != "__init__"
    }


@functools.cache
def _library_templates() -> frozenset[str]:
    """Every template name Django's contrib apps, DRF and drf-spectacular ship."""
    import django
    import drf_spectacular
    import rest_framework

    roots = [Path(django.__file__).parent / "contrib", Path(rest_framework.__file__).parent]
    roots.append(Path(drf_spectacular.__file__).parent)
    names = set()
    for root in roots:
        for folder in root.glob("**/templates"):
            names |= {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}
    return frozenset(names)


def _shipped_by_a_library(name: str) -> bool:
    """Django or a library ships a template of this name (admin/base_site.html): extending or including it
    reads the library's template, which the project may override for the whole site, as Django intends."""
    return name in _library_templates()


def _template_owner(name: str) -> str | None:
    """The app (or the project's templates/) whose folder holds the template; None for Django's own and
    for a library's template that the project overrides."""
    if _shipped_by_a_library(name):
        return None
    for app in (*LAYERS, PROJECT_LAYER):
        if (ROOT / app / "templates" / name).is_file():
            return app
    if (ROOT / PROJECT_TEMPLATES / name).is_file():
        return PROJECT_TEMPLATES
    return None


def _template_uses(text: str) -> list[tuple[str, str]]:
    """(kind, target) for each {% load %}, and each {% include %}/{% extends %} of a literal name."""
    uses = []
    for kind, argument in _TEMPLATE_TAG.findall(text):
        if kind == "load":
            words = argument.split()
            libraries = words[words.index("from") + 1 :] if "from" in words else words
            uses += [("load", library) for library in libraries]
        elif argument[:1] in "\"'":
            uses.append((kind, argument.split()[0].strip("\"'")))
    return uses


_TEMPLATE_NAME_IN_PYTHON = re.compile(r"[\"']((?:[a-z_]+/)+[\w.-]+\.(?:html|txt|xml))[\"']")


def house_arrows() -> list[tuple[str, str, str, str]]:
    """Every arrow between the apps: (from app, to app, file, what it names)."""
    libraries = _tag_libraries()
    arrows = []
    for app in (*LAYERS, PROJECT_LAYER, PROJECT_TEMPLATES):
        for path in sorted((ROOT / app).rglob("*")):
            relative = str(path.relative_to(ROOT))
            if path.suffix == ".py":
                for name in _python_imports(path):
                    owner = _owner_of_module(name)
                    if owner and owner != app:
                        arrows.append((app, owner, relative, name))
                for name in _TEMPLATE_NAME_IN_PYTHON.findall(path.read_text(encoding="utf-8")):
                    owner = _template_owner(name)
                    if owner and owner != app:
                        arrows.append((app, owner, relative, name))
            elif path.suffix in (".html", ".txt", ".xml") and "templates" in path.parts:
                for kind, target in _template_uses(path.read_text(encoding="utf-8")):
                    owner = libraries.get(target) if kind == "load" else _template_owner(target)
                    if owner and owner != app:
                        arrows.append((app, owner, relative, f"{{% {kind} {target} %}}"))
    return arrows


def test_the_import_graph_is_read():
    arrows = house_arrows()
    pairs = {(source, target) for source, target, _, _ in arrows}
    # The scan sees code, templates and template names in Python, or it proves nothing.
    assert ("incidents", "slas") in pairs and ("reports", "incidents") in pairs
    assert any(what == "{% load form_rendering %}" for _, _, _, what in arrows)
    assert any(what == "{% include common/includes/pagination.html %}" for _, _, _, what in arrows)


def test_common_imports_no_other_app():
    wrong = [arrow for arrow in house_arrows() if arrow[0] == "common"]
    assert wrong == [], "\n".join(" -> ".join(arrow[:2]) + f": {arrow[2]} ({arrow[3]})" for arrow in wrong)


def test_no_app_imports_the_project_layer():
    wrong = [
        arrow
        for arrow in house_arrows()
        if arrow[0] in LAYERS
        and arrow[1] in (PROJECT_LAYER, PROJECT_TEMPLATES)
        and not any(arrow[3] == name or arrow[3].startswith(name + ".") for name in ROLES_NOT_YET_IN_COMMON)
    ]
    assert wrong == [], "\n".join(f"{arrow[2]}: {arrow[3]}" for arrow in wrong)


def test_every_arrow_points_down_the_house():
    """Among the apps: only to apps before them in LAYERS, so nothing but `reports` and the project layer
    reads `incidents`, and `common` reads nobody."""
    wrong = [
        arrow
        for arrow in house_arrows()
        if arrow[0] != PROJECT_LAYER
        and arrow[0] != PROJECT_TEMPLATES
        and arrow[1] in LAYERS
        and _rank(arrow[1]) > _rank(arrow[0])
        and (arrow[2], arrow[3]) not in ALLOWED_UPWARD_IMPORTS
    ]
    assert wrong == [], "\n".join(f"{a} -> {b}: {where} ({what})" for a, b, where, what in wrong)


def test_the_project_templates_use_only_the_ground_floor():
    """Sign-in, errors and the base page work with `common` alone (they failed without incidents)."""
    wrong = [arrow for arrow in house_arrows() if arrow[0] == PROJECT_TEMPLATES and arrow[1] != "common"]
    assert wrong == [], "\n".join(f"{where}: {what}" for _, _, where, what in wrong)


def test_the_allow_list_names_only_what_still_happens():
    arrows = house_arrows()
    stale = [
        f"{where}: {what}"
        for where, what in ALLOWED_UPWARD_IMPORTS
        if (where, what) not in {a[2:] for a in arrows}
    ]
    assert stale == [], "remove these from the allow-lists: " + ", ".join(stale)


def test_no_test_stops_or_restarts_the_machines_own_servers():
    """Issue 16: the fault tests restarted the machine's own PostgreSQL (pg_ctlcluster), cutting off every
    other database on a developer's machine. They kill a cluster of their own instead
    (tests/reliability/throwaway_postgres.py); nothing in the suite reaches for the machine's servers."""
    machine_wide = re.compile(r"pg_ctlcluster|systemctl|\bservice (postgresql|redis)|redis-cli\b.*shutdown")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if path != Path(__file__) and machine_wide.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

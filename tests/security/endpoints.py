"""Every URL the project answers, read from the URL conf (which includes the DRF router), as a URL to call.

The security matrices iterate this list instead of a hand-written one, so a view added tomorrow is called
by them (or named in an exemption list with a reason) without anyone remembering to add it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")
# An unnamed regex group (simple-history's admin routes): its value comes from values["positional"].
POSITIONAL = re.compile(r"\((?!\?)[^()]*\)")


@dataclass(frozen=True)
class Endpoint:
    route: str  # the full route as written in the URL conf, e.g. "tickets/<int:pk>/reply/"
    name: str  # "namespace:name", or the route when the pattern has no name
    arguments: tuple[str, ...]
    pattern: URLPattern

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def viewset_actions(self) -> dict[str, str]:
        """HTTP method -> viewset action for a route of the DRF router; empty for any other view."""
        return dict(getattr(self.pattern.callback, "actions", None) or {})

    def access_entries(self) -> set[tuple[str, str]]:
        """What the access table (common/access.py) must name for this URL: ("endpoints",
        "basename.action") for each action of a router's route, else ("pages", its URL name)."""
        actions = self.viewset_actions
        if not actions:
            return {("pages", self.name)}
        basename = self.pattern.callback.initkwargs["basename"]
        return {("endpoints", f"{basename}.{action}") for action in actions.values()}

    def access_entry(self, method: str) -> tuple[str, str]:
        """The table's entry that decides a request with this method (a route without the method: the
        entry of its first action, the one a refusal is about)."""
        actions = self.viewset_actions
        if not actions:
            return ("pages", self.name)
        basename = self.pattern.callback.initkwargs["basename"]
        return ("endpoints", f"{basename}.{actions.get(method) or next(iter(actions.values()))}")

    def url(self, values: dict[str, str]) -> str:
        """The path with each argument replaced by values[name]; format suffixes become .json."""
        path = self.route

        def regex_group(match: re.Match) -> str:
            return str(values[match["name"]])

        if "(?P<" in path or "^" in path:
            path = path.replace("^", "").replace("$", "")
            path = GROUP.sub(regex_group, path)
            path = POSITIONAL.sub(lambda match: str(values["positional"]), path)
            path = path.replace("\\.", ".").replace("/?", "")
        path = CONVERTER.sub(
            lambda match: (
                ("." if match["converter"] == "drf_format_suffix" else "") + str(values[match["name"]])
            ),
            path,
        )
        return "/" + path


def _walk(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = (entry.namespace,) if entry.namespace else ()
            yield from _walk(entry, prefix + str(entry.pattern), namespaces + namespace)
        else:
            route = prefix + str(entry.pattern)
            arguments = tuple(m["name"] for m in CONVERTER.finditer(route)) + tuple(
                m["name"] for m in GROUP.finditer(route)
            )
            arguments += ("positional",) * len(POSITIONAL.findall(route))
            name = ":".join((*namespaces, entry.name)) if entry.name else route
            yield Endpoint(route=route, name=name, arguments=arguments, pattern=entry)


def all_endpoints() -> list[Endpoint]:
    return list(_walk(get_resolver()))


def format_values() -> dict[str, str]:
    """Values for the arguments that name no object: DRF's format suffix."""
    return {"format": "json"}


def resolves_to(endpoint: Endpoint, url: str) -> bool:
    """The URL reaches this endpoint's view (a guard against building a URL another pattern answers)."""
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return False
    return match.func == endpoint.pattern.callback or getattr(match.func, "cls", None) is getattr(
        endpoint.pattern.callback, "cls", object()
    )

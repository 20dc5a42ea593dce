"""NodeInfo 2.0 and 2.1 (jhass/nodeinfo): the discovery document and the schema documents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SCHEMA_BASE = "http://nodeinfo.diaspora.software/ns/schema/"
VERSIONS = ("2.0", "2.1")
_SOFTWARE_NAME = re.compile(r"[a-z0-9-]+")


@dataclass(frozen=True)
class NodeUsage:
    """The usage counts NodeInfo reports."""

    users_total: int
    users_active_month: int
    users_active_halfyear: int
    local_posts: int
    local_comments: int | None = None


def schema_url(version: str) -> str:
    """The schema URI of a NodeInfo version (`…/ns/schema/2.1`); ValueError for an unknown version."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported NodeInfo version {version!r}")
    return SCHEMA_BASE + version


def content_type(version: str) -> str:
    """The media type to serve a NodeInfo document with: `application/json; profile="<schema>#"`."""
    return f'application/json; profile="{schema_url(version)}#"'


def discovery_document(base_url: str) -> dict[str, Any]:
    """`/.well-known/nodeinfo`: links to our 2.0 and 2.1 documents at `<base>/nodeinfo/<version>`."""
    base = base_url.rstrip("/")
    return {"links": [{"rel": schema_url(v), "href": f"{base}/nodeinfo/{v}"} for v in VERSIONS]}


def nodeinfo_document(
    version: str,
    *,
    software_name: str,
    software_version: str,
    usage: NodeUsage,
    open_registrations: bool,
    metadata: dict[str, Any] | None = None,
    repository: str | None = None,
    homepage: str | None = None,
) -> dict[str, Any]:
    """A NodeInfo 2.0 or 2.1 document (2.1 adds the software's repository and homepage when given)."""
    schema_url(version)
    if not _SOFTWARE_NAME.fullmatch(software_name):
        raise ValueError("NodeInfo software name must match ^[a-z0-9-]+$")
    software: dict[str, Any] = {"name": software_name, "version": software_version}
    if version == "2.1":
        software.update({k: v for k, v in (("repository", repository), ("homepage", homepage)) if v})
    users = {
        "total": usage.users_total,
        "activeMonth": usage.users_active_month,
        "activeHalfyear": usage.users_active_halfyear,
    }
    usage_doc: dict[str, Any] = {"users": users, "localPosts": usage.local_posts}
    if usage.local_comments is not None:
        usage_doc["localComments"] = usage.local_comments
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open_registrations,
        "usage": usage_doc,
        "metadata": metadata or {},
    }

"""One GET against a metadata service, every transport failure turned into SourceUnavailable."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from fediscience.papers.metadata import SourceUnavailable


def get(client: httpx.Client, url: str, *, service: str, params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None) -> httpx.Response:
    """GET url; raise SourceUnavailable naming the service on timeout, network error, 429 or 5xx."""
    try:
        response = client.get(url, params=params, headers=headers, follow_redirects=True)
    except httpx.TimeoutException as exc:
        raise SourceUnavailable(f"{service} did not answer in time; please try again later.") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceUnavailable(f"{service} could not be reached ({type(exc).__name__}); "
                                "please try again later.") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise SourceUnavailable(f"{service} is unavailable right now (HTTP {response.status_code}); "
                                "please try again later.")
    return response


def unexpected(service: str, what: str) -> SourceUnavailable:
    """The error for an answer that is not what the service normally sends."""
    return SourceUnavailable(f"{service} sent an answer we could not read ({what}); please try again later.")

"""The Slack Web API client that the adapter, the staff desk and the digest poster share: it
retries 429s (honouring Retry-After), 5xx answers, timeouts and dropped connections, and tells
the adapter's health how each call ended."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from ..reachability import Reachability

log = logging.getLogger("iombot.slack")


class TransientErrorRetryHandler(AsyncRetryHandler):
    """Retries a Web API call after a 5xx answer, a timeout or a dropped connection."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if error is not None:
            transient = isinstance(error, asyncio.TimeoutError | aiohttp.ClientConnectionError)
            reason = type(error).__name__
        else:
            transient = response is not None and response.status_code >= 500
            reason = f"HTTP {response.status_code}" if response is not None else "no response"
        if transient:
            log.warning(
                "Slack API %s: %s; retrying", _method(request), reason, extra={"platform": "slack"}
            )
        return transient


class LoggedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (sleeps Retry-After), with a log line."""

    async def _can_retry_async(self, *, state, request, response=None, error=None) -> bool:
        limited = await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )
        if limited and response is not None:
            retry_after = next(
                (v[0] for k, v in response.headers.items() if k.lower() == "retry-after"), "?"
            )
            log.warning(
                "Slack API %s: rate limited; retrying after %s s",
                _method(request),
                retry_after,
                extra={"platform": "slack"},
            )
        return limited


def _method(request: HttpRequest) -> str:
    return request.url.rsplit("/", 1)[-1]


class ObservedWebClient(AsyncWebClient):
    """The Web API client, telling `reachability` how each call ended, after its retries (the
    adapter's health): a 5xx or no answer is a failure, any answer of Slack's a success."""

    reachability: Reachability | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        reachability = self.reachability
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            status = getattr(error.response, "status_code", 200)
            if reachability is not None:
                if status >= 500:
                    reachability.failed(f"{api_method}: HTTP {status}")
                else:
                    reachability.succeeded()  # Slack answered (an error of ours, or 429)
            raise
        except Exception as error:
            if reachability is not None:
                reachability.failed(f"{api_method}: {type(error).__name__}")
            raise
        if reachability is not None:
            reachability.succeeded()
        return response


def build_client(
    token: str,
    api_url: str,
    timeout: float = 10,
    retries: int = 2,
    backoff: float = 0.5,
) -> AsyncWebClient:
    intervals = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return ObservedWebClient(
        token=token,
        base_url=api_url,
        timeout=timeout,  # type: ignore[arg-type]  # aiohttp takes a float
        retry_handlers=[
            LoggedRateLimitRetryHandler(max_retry_count=retries),
            TransientErrorRetryHandler(max_retry_count=retries, interval_calculator=intervals),
        ],
    )

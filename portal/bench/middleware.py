"""Reports each request's server time and query count in response headers, for the
benchmark client to collect (it cannot see inside the server otherwise)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


def measure(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["X-Bench-Ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        response["X-Bench-Queries"] = str(queries)
        return response

    return middleware

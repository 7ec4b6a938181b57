"""The container's healthcheck: python -m portal.healthcheck [URL]

Asks this container's own /health/ (portal/health.py) and exits 0 when it answers 200. It
sends a Host header the portal accepts (the first ALLOWED_HOSTS entry), so a deployment whose
ALLOWED_HOSTS lists only its public name is still probed, and X-Forwarded-Proto: https so
that SECURE_SSL_REDIRECT does not turn the probe into a redirect. Only the standard library:
it must not load Django (a second copy of the portal per probe).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/health/"


def host_header(allowed_hosts: str) -> str:
    for host in allowed_hosts.split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    request = urllib.request.Request(  # noqa: S310 - a fixed http URL of this container
        url,
        headers={
            "Host": host_header(os.environ.get("ALLOWED_HOSTS", "")),
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            body = response.read(500).decode(errors="replace")
            print(response.status, body)
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(exc.code, exc.read(500).decode(errors="replace"))
    except OSError as exc:
        print(f"unreachable: {exc}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

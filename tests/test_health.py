"""/health/ answers without a login: 200 with every part ok, 503 naming the part that failed."""

import socket

import pytest
from django.urls import reverse


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""


@pytest.mark.django_db
def test_healthy_without_a_login(client, no_broker, settings):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]
    # The storage probe cleans up after itself.
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


@pytest.mark.django_db
def test_unwritable_storage_is_503_naming_it(client, no_broker, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"  # cannot be created, even by root
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["storage"].startswith("error: ")


@pytest.mark.django_db
def test_an_unreachable_broker_is_503_naming_it(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error: ")
    assert body["database"] == body["storage"] == "ok"


@pytest.mark.django_db
def test_a_reachable_broker_is_ok(client, settings):
    import os

    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", 6379)) != 0:
                if os.environ.get("CI") == "true":
                    pytest.fail("CI must run Redis (CELERY_BROKER_URL)")
                pytest.skip("no Redis on 127.0.0.1:6379 and no CELERY_BROKER_URL")
        url = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_URL = url
    response = client.get(reverse("health"))
    assert response.status_code == 200, response.content
    assert response.json()["broker"] == "ok"


def test_only_get(client):
    assert client.post(reverse("health")).status_code == 405


def test_healthcheck_host_header():
    from portal.healthcheck import host_header

    assert host_header("portal.example.gov.vn,localhost") == "portal.example.gov.vn"
    assert host_header(" .example.gov.vn") == "example.gov.vn"
    assert host_header("*") == host_header("") == "localhost"


def _healthcheck(url: str, **env: str):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "portal.healthcheck", url],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_container_healthcheck_against_a_running_portal(
    live_server, no_broker, transactional_db
):
    proc = _healthcheck(f"{live_server.url}/health/", ALLOWED_HOSTS="localhost")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"database": "ok"' in proc.stdout
    # Nobody listening: the check fails (and says why), it does not hang.
    proc = _healthcheck(f"http://127.0.0.1:{free_port()}/health/")
    assert proc.returncode == 1
    assert "unreachable" in proc.stdout


# --- Request size and caching (portal/lib/middleware.py) ------------------------------------


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.PORTAL_REQUEST_MAX_BYTES = 1000
    response = client.generic(
        "POST", "/accounts/login/", b"x" * 1001, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "1000" in response.content.decode()
    response = client.generic(
        "POST", "/accounts/login/", b"x" * 10, content_type="application/octet-stream"
    )
    assert response.status_code != 413


def test_without_the_middleware_a_page_would_be_cacheable(client_for, settings, world):
    # What the access matrix's Cache-Control assertion guards against: Django alone sends none.
    from django.test import Client

    url = reverse("blocs:bloc_list")
    assert "no-store" in client_for("member").get(url)["Cache-Control"]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "PrivateResponses" not in m]
    bare = Client()  # a client loads the middleware once
    bare.force_login(world.users["member"])
    assert "no-store" not in bare.get(url).get("Cache-Control", "")

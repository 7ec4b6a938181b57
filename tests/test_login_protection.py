"""Login throttling (django-axes), the password policy and the session timeouts (issue 14)."""

import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.lib import sessions

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Tạm khóa đăng nhập"  # the lockout page's title, in Vietnamese


def _login(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = _login(client, username, "wrong-password-123", address)
        # the login form again with its error; the 10th failure already shows the lockout
        assert response.status_code in (200, 429)


# --- Lockout ------------------------------------------------------------------------------


def test_ten_failures_lock_the_account_and_then_the_right_password_is_refused(client):
    UserFactory(username="canbo")
    _fail(client, "canbo", 10)
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "10 lần" in page
    assert "_auth_user_id" not in client.session
    # locked for the account from any address, not only from the one that failed
    assert _login(client, "canbo", PASSWORD, address="198.51.100.20").status_code == 429


def test_nine_failures_still_let_the_right_password_in(client):
    UserFactory(username="canbo9")
    _fail(client, "canbo9", 9)
    assert _login(client, "canbo9", PASSWORD).status_code == 302


def test_ten_failures_from_one_address_lock_that_address_on_every_account(client):
    UserFactory(username="mot")
    for i in range(10):
        _fail(client, f"nobody{i}", 1, address="192.0.2.9")
    assert _login(client, "mot", PASSWORD, address="192.0.2.9").status_code == 429
    assert _login(client, "mot", PASSWORD, address="192.0.2.10").status_code == 302


# --- Behind the proxy: the client's address, not nginx's -------------------------------------

NGINX = "172.18.0.5"  # every request reaches gunicorn from the proxy's container


def _through_proxy(client, username, password, client_address, forged=""):
    """A login as nginx passes it on: it appends the address it saw to X-Forwarded-For
    (after whatever the client wrote itself)."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_two_clients_are_counted_apart(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="hai")
    for i in range(10):
        _through_proxy(client, f"nobody{i}", "wrong-password-123", "198.51.100.1")
    assert _through_proxy(client, "hai", PASSWORD, "198.51.100.1").status_code == 429
    # the other person behind the same proxy is not locked out with the first
    assert _through_proxy(client, "hai", PASSWORD, "198.51.100.2").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


def test_behind_the_proxy_what_the_client_writes_in_the_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ba")
    for i in range(10):  # a new forged address each time: the proxy's own entry still counts
        _through_proxy(client, f"nobody{i}", "x", "198.51.100.3", forged=f"203.0.113.{i}")
    assert _through_proxy(client, "ba", PASSWORD, "198.51.100.3").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.3"}


def test_without_a_trusted_proxy_a_forged_header_is_not_trusted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="bon")
    for i in range(10):
        client.post(
            reverse("login"),
            {"username": f"nobody{i}", "password": "x"},
            REMOTE_ADDR="192.0.2.50",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    locked = client.post(
        reverse("login"),
        {"username": "bon", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.50",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.50"}


@pytest.mark.parametrize("forwarded", ["", "not-an-address", " , "])
def test_a_request_that_skipped_the_proxy_counts_as_its_connection(rf, settings, forwarded):
    from portal.lib.http import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == "192.0.2.60"


def test_failed_logins_are_recorded(client):
    _fail(client, "khach", 3)
    assert AccessFailureLog.objects.filter(username="khach").count() == 3
    attempt = AccessAttempt.objects.get(username="khach")
    assert attempt.failures_since_start == 3 and attempt.ip_address == "203.0.113.7"


def test_the_admin_unlocks_an_account(client, admin_client):
    UserFactory(username="bikhoa")
    _fail(client, "bikhoa", 10)
    assert _login(client, "bikhoa", PASSWORD).status_code == 429
    attempts = AccessAttempt.objects.filter(username="bikhoa")
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert admin_client.get(changelist).status_code == 200
    response = admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="bikhoa").exists()
    assert _login(client, "bikhoa", PASSWORD).status_code == 302


def test_the_test_client_login_helpers_still_work(client):
    user = UserFactory(username="trogiup")
    assert client.login(username="trogiup", password=PASSWORD)
    client.logout()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200


# --- Password policy ----------------------------------------------------------------------

REFUSED = [
    ("matkhau123", "Mật khẩu quá ngắn"),  # 10 characters
    ("123456789abc", "phổ biến ở Việt Nam"),  # the portal's list
    ("Matkhau@12345", "phổ biến ở Việt Nam"),  # compared without case
    ("password1234", "quá phổ biến"),  # Django's own list
]


@pytest.mark.parametrize(("password", "error"), REFUSED)
def test_change_refuses_short_and_common_passwords(client, password, error):
    user = UserFactory(username="doimk")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def _reset_url(client, user):
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    return client.get(link).url  # Django swaps the token for a session value


@pytest.mark.parametrize(("password", "error"), REFUSED)
def test_reset_refuses_short_and_common_passwords(client, password, error):
    user = UserFactory(username="quenmk")
    url = _reset_url(client, user)
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert error in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_accepts_a_long_uncommon_password(client):
    user = UserFactory(username="quenmk2")
    url = _reset_url(client, user)
    new = "Cay-tre-xanh-Hai-Phong-2026"
    response = client.post(url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_help_text_names_the_rules(client):
    client.force_login(UserFactory())
    page = client.get(reverse("password_change")).content.decode()
    assert "12 ký tự" in page and "matkhau123" in page


def test_a_bad_reset_link_changes_nothing(client):
    user = UserFactory(username="sai")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    assert default_token_generator.check_token(user, "x") is False
    response = client.get(reverse("password_reset_confirm", args=[uid, "bad-token"]))
    assert response.status_code == 200 and response.context["validlink"] is False


# --- Session timeouts ---------------------------------------------------------------------


def _age(client, *, login_ago=None, seen_ago=None):
    session = client.session
    if login_ago is not None:
        session[sessions.LOGIN_AT] -= login_ago
    if seen_ago is not None:
        session[sessions.SEEN_AT] -= seen_ago
    session.save()


def test_a_session_idle_for_the_timeout_is_logged_out(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200
    _age(client, seen_ago=1790)
    assert client.get(reverse("home")).status_code == 200  # just inside: still logged in
    _age(client, seen_ago=1800)
    response = client.get(reverse("blocs:bloc_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "không hoạt động" in page  # the login page says why


def test_activity_keeps_an_idle_session_alive(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(UserFactory())
    client.get(reverse("home"))
    _age(client, seen_ago=1000)
    assert client.get(reverse("home")).status_code == 200  # seen again: the clock restarts
    _age(client, seen_ago=1000)
    assert client.get(reverse("home")).status_code == 200


def test_a_session_ends_at_its_absolute_age_however_active(client, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    client.force_login(UserFactory())
    client.get(reverse("home"))
    _age(client, login_ago=12 * 3600 - 10)
    assert client.get(reverse("home")).status_code == 200
    _age(client, login_ago=10)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "thời gian tối đa" in client.get(response.url).content.decode()


def test_the_timeouts_come_from_the_environment():
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s\nprint(s.SESSION_IDLE_TIMEOUT, s.SESSION_COOKIE_AGE)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SESSION_IDLE_TIMEOUT": "600",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout.split()
    assert out[-2:] == ["600", str(12 * 3600)]

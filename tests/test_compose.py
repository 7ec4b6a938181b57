"""Deployment files: docker-compose.yml against the Compose specification, the Dockerfile's
shape, and repository hygiene. No Docker engine is needed: check-jsonschema carries the
Compose specification's schema (`--builtin-schema vendor.compose-spec`)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"


def check_compose_schema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load(COMPOSE.read_text())


def test_compose_file_matches_the_compose_specification():
    proc = check_compose_schema(COMPOSE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_catches_a_misspelled_key(tmp_path):
    text = COMPOSE.read_text()
    assert "environment:" in text
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace("environment:", "enviroment:"))
    proc = check_compose_schema(broken)
    assert proc.returncode != 0
    assert "enviroment" in proc.stdout + proc.stderr


def test_services(compose):
    services = compose["services"]
    assert {"web", "worker", "db", "redis"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def as_text(command) -> str:
    return " ".join(command) if isinstance(command, list) else command


def test_web_runs_gunicorn_only(compose):
    # Migrations run once in `migrate`; static files are collected at image build (33 s of CPU
    # per start otherwise, and N replicas racing on the same migrations).
    web = compose["services"]["web"]
    command = as_text(web["command"])
    assert "gunicorn portal.wsgi" in command
    assert "--no-control-socket" in command
    assert "migrate" not in command
    assert "collectstatic" not in command


def test_migrations_run_once_before_web_worker_and_beat(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert as_text(migrate["command"]) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate" not in migrate["depends_on"]
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_web_scales_behind_the_proxy(compose):
    services = compose["services"]
    web = services["web"]
    assert "ports" not in web  # --scale web=N would collide on a fixed host port
    assert "8000" in [str(p) for p in web["expose"]]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert any(str(p).endswith(":80") for p in proxy["ports"])
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    [conf_mount] = [v for v in proxy["volumes"] if "nginx.conf" in v]
    source = conf_mount.split(":", 1)[0]
    conf = (BASE_DIR / source).read_text()
    # Re-resolved every few seconds, so new replicas get traffic without a proxy restart.
    assert "resolver 127.0.0.11" in conf
    assert re.search(r"proxy_pass \$\w+;", conf)
    assert re.search(r"client_max_body_size \d+m;", conf)
    # The only host port of the stack is the proxy's.
    with_ports = {name for name, service in services.items() if service.get("ports")}
    assert with_ports == {"proxy"}


def test_matplotlib_has_a_writable_config_dir(compose):
    for name in ("web", "worker", "beat", "migrate"):
        assert compose["services"][name]["environment"]["MPLCONFIGDIR"].startswith("/tmp/")  # noqa: S108
    assert "MPLCONFIGDIR=/tmp/" in DOCKERFILE.read_text()


def test_worker_listens_on_both_queues(compose):
    command = as_text(compose["services"]["worker"]["command"])
    assert "celery -A portal worker" in command
    assert re.search(r"-Q\s+celery,reports\b", command)


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_configuration(compose, name):
    service = compose["services"][name]
    assert service["env_file"] in (".env", [".env"])
    env = service["environment"]
    assert str(env["DEBUG"]).lower() == "false"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert env["CELERY_RESULT_BACKEND"].startswith("redis://redis:6379/")
    assert any(v.startswith("media:") for v in service["volumes"])
    for dependency in ("db", "redis"):
        assert service["depends_on"][dependency]["condition"] == "service_healthy"


def test_redis_persists_with_append_only_file(compose):
    redis = compose["services"]["redis"]
    assert "--appendonly yes" in as_text(redis["command"])
    assert any(v.endswith(":/data") for v in redis["volumes"])


def test_healthchecks(compose):
    services = compose["services"]
    assert "pg_isready" in as_text(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in as_text(services["redis"]["healthcheck"]["test"])
    assert "portal.healthcheck" in as_text(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in as_text(services["worker"]["healthcheck"]["test"])
    assert "celerybeat-schedule" in as_text(services["beat"]["healthcheck"]["test"])
    assert "celerybeat-schedule" in as_text(services["beat"]["command"])
    assert "healthcheck" in services["proxy"]


def test_volumes_are_declared(compose):
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert {"media"} <= used
    assert used <= declared
    db_volumes = compose["services"]["db"]["volumes"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db_volumes)


def test_dockerfile():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.MULTILINE)
    assert "--no-install-recommends" in text
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-liberation2",
    ):
        assert package in text
    assert "libpq5" in text
    assert "pip install --require-hashes -r requirements.lock" in text
    # The build-time key passes the production checks of settings.py (50+ characters).
    key = re.search(r"DEBUG=false SECRET_KEY=(\S+)", text).group(1)
    assert len(key) >= 50 and "change-me" not in key
    assert "collectstatic" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    cmd = re.search(r"^CMD\s+(.*)", text, re.MULTILINE | re.DOTALL).group(1)
    assert "gunicorn" in cmd and "--no-control-socket" in cmd


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "var"):
        assert entry in ignored


def tracked_files() -> list[Path]:
    if shutil.which("git") and (BASE_DIR / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True
        ).stdout
        return [BASE_DIR / name for name in out.decode().split("\0") if name]
    pytest.skip("not a git checkout")


def test_repository_names_no_machine_path_and_commits_no_env_file():
    files = tracked_files()
    names = {f.relative_to(BASE_DIR).as_posix() for f in files}
    assert ".env" not in names
    # Built from pieces so that this file does not match itself.
    machine_paths = re.compile("|".join(re.escape("/" + p + "/") for p in ("work", "root")))
    offenders = []
    for path in files:
        if not path.is_file() or path.suffix in {".png", ".jpg", ".pdf", ".mo", ".ico", ".woff2"}:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), start=1):
            if machine_paths.search(line):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{lineno}: {line.strip()}")
    assert not offenders, "machine paths in the repository:\n" + "\n".join(offenders)


def test_web_trusts_the_one_proxy_in_front_of_it(compose):
    """The lockout counts the client address nginx appends to X-Forwarded-For: the stack has
    one proxy, and web trusts exactly one (portal.lib.http.client_ip)."""
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    nginx = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx

"""What a bare machine needs: the Makefile's Debian packages, the shared-library check of the
test tools, the two install sets with their lock files, and the .env note of `make run`."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
MAKEFILE = (BASE_DIR / "Makefile").read_text()
CI_RUN = (BASE_DIR / ".ci" / "run").read_text()


def make_variable(name: str) -> list[str]:
    m = re.search(rf"^{name} := (.*)$", MAKEFILE, re.MULTILINE)
    assert m, name
    return m.group(1).split()


def prerequisites(target: str) -> list[str]:
    m = re.search(rf"^{re.escape(target)}:(.*)$", MAKEFILE, re.MULTILINE)
    assert m, target
    return m.group(1).split()


def test_the_debian_packages_of_the_tests_are_complete():
    run_debs = make_variable("RUN_DEBS")
    test_debs = make_variable("TEST_DEBS")
    assert "libpq5" in run_debs  # psycopg 3 is pure Python over the system libpq
    assert test_debs[0] == "$(RUN_DEBS)"
    # A bare Debian needs each of these (found on one: libatomic1 for Playwright's driver,
    # gettext for the translations `make test` compiles, LibreOffice for the DOCX checks).
    assert {"chromium", "poppler-utils", "libatomic1", "libreoffice-writer", "gettext"} <= set(
        test_debs
    )
    ci_debs = re.search(r"^debs=\((.*?)^\)", CI_RUN, re.MULTILINE | re.DOTALL).group(1)
    ci_debs = {line.split("#")[0].strip() for line in ci_debs.splitlines()}
    ci_debs = {p for line in ci_debs for p in line.split()}
    assert {"libatomic1", "libpq5", "chromium", "poppler-utils"} <= ci_debs
    # CI installs at least what the Makefile's test packages name.
    assert set(run_debs) | set(test_debs[1:]) <= ci_debs


def test_make_test_checks_the_libraries_after_installing_the_packages():
    test = prerequisites("test")
    assert test.index("test-deps") < test.index("check-libs")
    assert "test-deps" in prerequisites("check-libs")
    recipe = re.search(r"^check-libs:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE).group(1)
    assert "bash .ci/check-libs" in recipe


def check_libs(*binaries: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "bash",
            str(BASE_DIR / ".ci" / "check-libs"),
            str(BASE_DIR / ".venv/bin/python"),
            *binaries,
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_library_of_the_test_tools_resolves_here():
    proc = check_libs()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "playwright/driver/node" in proc.stdout


def test_a_missing_library_fails_loudly_naming_it(tmp_path):
    # A real ELF program whose needed libc is renamed (same length) to a library no machine has.
    true = Path(shutil.which("true") or "/bin/true").read_bytes()
    assert true.count(b"libc.so.6\x00") == 1
    broken = tmp_path / "needs-a-missing-library"
    broken.write_bytes(true.replace(b"libc.so.6\x00", b"libxyz.so\x00"))
    broken.chmod(0o755)
    proc = check_libs(str(broken))
    assert proc.returncode == 1
    assert f"{broken} needs libxyz.so, which is missing" in proc.stdout, proc.stdout


def test_make_run_installs_the_runtime_set_and_test_and_lint_the_dev_set():
    assert "$(RUN_STAMP)" in prerequisites("run")
    assert "$(DEV_STAMP)" not in prerequisites("run")
    assert "$(DEV_STAMP)" in prerequisites("test")
    assert "$(DEV_STAMP)" in prerequisites("lint")
    assert re.search(r"^RUN_LOCK := requirements\.lock$", MAKEFILE, re.MULTILINE)
    assert re.search(r"^DEV_LOCK := requirements-dev\.lock$", MAKEFILE, re.MULTILINE)
    installs = re.findall(r"pip install .*-r (\S+)", MAKEFILE)
    # ...and, for `make bench` only, psycopg's C implementation (hashed like the locks)
    assert sorted(installs) == ["$(DEV_LOCK)", "$(RUN_LOCK)", "requirements-speedups.txt"]
    assert all(
        "--require-hashes" in line for line in re.findall(r".*pip install .*-r .*", MAKEFILE)
    )
    assert "playwright" not in (BASE_DIR / "requirements.lock").read_text()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if m:
            found[m.group(1).lower().replace("_", "-")] = m.group(2)
    return found


def requirements(path: Path) -> dict[str, str]:
    found = pins(path)
    for line in path.read_text().splitlines():
        if line.startswith("-r "):
            found |= requirements(path.parent / line.split()[1])
    return found


@pytest.mark.parametrize(
    ("source", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_the_lock_files_hold_every_requirement_with_hashes(source, lock):
    wanted = requirements(BASE_DIR / source)
    locked = pins(BASE_DIR / lock)
    stale = {name: v for name, v in wanted.items() if locked.get(name) != v}
    assert not stale, f"{lock} is stale for {stale}: run make lock"
    text = (BASE_DIR / lock).read_text()
    # Every pin carries at least one hash (pip --require-hashes refuses it otherwise).
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 6)[-1]):
        if re.match(r"^[A-Za-z0-9]", block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
    assert "psycopg2" not in text
    assert "make lock" in text  # the header names the command that regenerates it


def test_make_lock_regenerates_both_lock_files():
    recipe = re.search(r"^lock:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE).group(1)
    assert "--generate-hashes" in MAKEFILE
    assert "requirements.txt" in recipe and "requirements-dev.txt" in recipe
    assert "pip-tools==" in (BASE_DIR / "requirements-dev.txt").read_text()


def test_make_run_notes_a_present_env_file(tmp_path):
    if shutil.which("make") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("make is missing under CI")
        pytest.skip("make is not installed")

    def note() -> str:
        env = {k: v for k, v in os.environ.items() if k != "ENV_FILE"}
        return subprocess.run(
            ["make", "-s", "-C", str(tmp_path), "-f", str(BASE_DIR / "Makefile"), "env-note"],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            check=True,
        ).stdout

    assert note() == ""
    (tmp_path / ".env").write_text("DATABASE_URL=postgres://portal@127.0.0.1/portal\n")
    assert ".env is present" in note()
    assert "env-note" in prerequisites("run")


def test_production_builds_psycopgs_c_implementation_of_psycopgs_own_version():
    """requirements-speedups.txt pins psycopg-c with its hash at psycopg's locked version (a
    different version refuses to load), the image compiles it in a stage of its own and
    installs the wheel, and the compiler stays out of the final image."""
    speedups = (BASE_DIR / "requirements-speedups.txt").read_text()
    assert (
        pins(BASE_DIR / "requirements-speedups.txt")["psycopg-c"]
        == pins(BASE_DIR / "requirements.lock")["psycopg"]
    )
    assert "--hash=sha256:" in speedups
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) == 2
    builder, final = stages
    assert "libpq-dev" in builder and "gcc" in builder
    assert "--require-hashes -r requirements-speedups.txt" in builder
    assert "COPY --from=psycopg-c /wheels" in final and "/wheels/*.whl" in final
    assert "gcc" not in final and "libpq-dev" not in final and "libpq5" in final
    assert "requirements-speedups.txt" in MAKEFILE  # make bench measures what production runs

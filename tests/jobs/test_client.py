"""The client's settings: the token's sources, the endpoints, and no client needed
for anything but talking to the platform."""

import json
import subprocess
import sys

import pytest

from experiments.jobs.client import (
    SERVICE_VARIABLE,
    TOKEN_VARIABLE,
    USER_VARIABLE,
    Endpoints,
    read_token,
)
from experiments.jobs.errors import JobError
from experiments.jobs.remote import job_id

nmpi_user = pytest.importorskip("nmpi.nmpi_user")


@pytest.fixture
def token_file(monkeypatch, tmp_path):
    path = tmp_path / "hbptoken"
    monkeypatch.setattr(nmpi_user, "TOKENFILE", str(path))
    return path


def test_the_variable_wins_over_the_token_file(token_file):
    token_file.write_text(json.dumps({"ann": {"access_token": "from-file"}}))
    assert read_token({TOKEN_VARIABLE: "from-env"}) == "from-env"
    assert read_token({}) == "from-file"
    assert read_token({TOKEN_VARIABLE: "  "}) == "from-file"


def test_several_entries_need_the_user_named(token_file):
    entries = {"ann": {"access_token": "a"}, "bob": {"access_token": "b"}}
    token_file.write_text(json.dumps(entries))
    with pytest.raises(JobError, match=USER_VARIABLE):
        read_token({})
    assert read_token({USER_VARIABLE: "bob"}) == "b"
    with pytest.raises(JobError, match="no entry for 'carl'"):
        read_token({USER_VARIABLE: "carl"})


@pytest.mark.parametrize("text", [None, "not json", "[1, 2]", '{"ann": {}}'])
def test_no_usable_token_names_the_variable(token_file, text):
    if text is not None:
        token_file.write_text(text)
    with pytest.raises(JobError, match=TOKEN_VARIABLE):
        read_token({})


def test_endpoints_default_to_the_clients_and_can_be_overridden():
    nmpi = pytest.importorskip("nmpi")
    import inspect

    defaults = inspect.signature(nmpi.Client).parameters
    plain = Endpoints.resolve(environ={})
    assert plain.job_service == defaults["job_service"].default
    assert plain.user_info == defaults["user_info_endpoint"].default
    env = Endpoints.resolve(environ={SERVICE_VARIABLE: "http://127.0.0.1:9"})
    assert env.job_service == "http://127.0.0.1:9"
    given = Endpoints.resolve("http://127.0.0.1:8", environ={SERVICE_VARIABLE: "x"})
    assert given.job_service == "http://127.0.0.1:8"
    with pytest.raises(JobError, match="not an http"):
        Endpoints.resolve("ftp://host", environ={})


@pytest.mark.parametrize(("text", "number"), [("7", 7), ("/jobs/123", 123)])
def test_job_ids(text, number):
    assert job_id(text) == number


def test_a_bad_job_id_is_refused():
    with pytest.raises(JobError, match="not a job id"):
        job_id("latest")


def test_preparing_and_the_cli_never_import_the_client(tmp_path):
    """The job commands' modules load without nmpi; prepare works without it."""
    code = (
        "import sys\n"
        "sys.modules['nmpi'] = None  # as if not installed\n"
        "import experiments.jobs.prepare, experiments.jobs.remote\n"
        "import experiments.jobs.client, experiments.jobs.script\n"
        "from experiments.cli import main\n"
        f"rc = main(['job', 'prepare', '--workload', 'brunel', '--t-stop', '1000', "
        f"'--no-prediction', '--out', {str(tmp_path / 'job')!r}])\n"
        "assert rc == 0, rc\n"
        "rc = main(['job', 'status', '3'])\n"
        "assert rc == 2, rc\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pip install -e .[jobs]" in done.stderr
    assert (tmp_path / "job" / "run.py").is_file()

"""The command line: init, keys, stats and import in-process (both backends); error exits in a real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from shopsense.storage import open_database
from shopsense.storage.keys import Role

EVENTS_CSV = """\
event_id,user_id,type,item_id,value,timestamp
e1,u1,view,i1,,2023-05-01T10:00:00Z
e2,u1,purchase,i1,2,2023-05-01T10:04:00Z
e3,u2,view,i2,,2023-05-01T10:02:00Z
e4,u3,search,,,2023-05-01T10:03:00Z
e5,u3,teleport,i3,,2023-05-01T10:03:00Z
"""


def _ok(result) -> str:  # noqa: ANN001 - click Result
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result.output


def test_init_creates_the_store(run_cli, database_url: str) -> None:  # noqa: ANN001
    output = _ok(run_cli("init", database_url=database_url))
    assert output.startswith("ready: ")
    db = open_database(database_url, migrate=False)
    try:
        assert db.is_ready()
    finally:
        db.close()
    _ok(run_cli("init", database_url=database_url))  # twice is fine


def test_init_defaults_to_sqlite_in_the_data_dir(run_cli, tmp_path: Path) -> None:  # noqa: ANN001
    output = _ok(run_cli("init", data_dir=tmp_path / "fresh"))
    assert "sqlite" in output
    assert (tmp_path / "fresh" / "shopsense.db").is_file()


def test_settings_come_from_the_environment(cli_app, clean_env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    monkeypatch.setenv("SHOPSENSE_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("SHOPSENSE_DATABASE_URL", f"sqlite:///{tmp_path / 'env-url' / 'x.db'}")
    result = CliRunner().invoke(cli_app, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-url" / "x.db").is_file()
    assert (tmp_path / "from-env").is_dir()


def test_keys_create_prints_a_secret_that_authenticates(run_cli, database_url: str) -> None:  # noqa: ANN001
    output = _ok(run_cli("keys", "create", "--role", "client", "--name", "web shop", database_url=database_url))
    secret = output.strip().splitlines()[-1]
    assert re.fullmatch(r"ss_[0-9a-f]{12}_\S+", secret), output
    admin_secret = _ok(run_cli("keys", "create", "--role", "admin", database_url=database_url)).strip().splitlines()[-1]
    db = open_database(database_url)
    try:
        client = db.keys.authenticate(secret)
        assert (client.role, client.name) == (Role.CLIENT, "web shop")
        assert db.keys.authenticate(admin_secret).role is Role.ADMIN
        assert client.key_id in output
    finally:
        db.close()


def test_keys_create_needs_a_known_role(run_cli) -> None:  # noqa: ANN001
    result = run_cli("keys", "create", "--role", "superuser")
    assert result.exit_code == 2
    result = run_cli("keys", "create")
    assert result.exit_code == 2


def test_keys_list_and_revoke_never_show_secrets(run_cli, database_url: str) -> None:  # noqa: ANN001
    secrets = [_ok(run_cli("keys", "create", "--role", role, "--name", f"n-{role}", database_url=database_url)).split()[-1]
               for role in ("admin", "client")]  # fmt: skip
    key_ids = [s.split("_")[1] for s in secrets]
    listed = _ok(run_cli("keys", "list", database_url=database_url))
    for key_id in key_ids:
        assert key_id in listed
    assert "n-admin" in listed and "n-client" in listed
    for secret in secrets:
        assert secret not in listed
        assert secret.split("_", 2)[2] not in listed
        assert secret.split("_", 2)[2][:8] not in listed
    assert "yes" not in listed

    assert f"revoked {key_ids[1]}" in _ok(run_cli("keys", "revoke", key_ids[1], database_url=database_url))
    assert re.search(rf"{key_ids[1]}.*client.*yes", _ok(run_cli("keys", "list", database_url=database_url)))
    missing = run_cli("keys", "revoke", "feedfacecafe", database_url=database_url)
    assert missing.exit_code == 1
    assert "no key 'feedfacecafe'" in missing.output
    db = open_database(database_url)
    try:
        assert db.keys.authenticate(secrets[1]) is None
        assert db.keys.authenticate(secrets[0]) is not None
    finally:
        db.close()


def test_import_prints_a_summary_and_writes_rejects(run_cli, database_url: str, tmp_path: Path, printed_summary) -> None:  # noqa: ANN001
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV.replace("event_id,user_id,type", "id,customer,type"))
    rejects = tmp_path / "out" / "rejected.csv"
    output = _ok(run_cli("import", str(path), "--map", "id=event_id", "-m", "customer=user_id", "--rejects", str(rejects),
                         database_url=database_url))  # fmt: skip
    summary = printed_summary(output)
    assert (summary.accepted, summary.duplicate, summary.rejected, summary.skipped, summary.rows) == (3, 0, 2, 0, 5)
    assert rejects.read_text().splitlines() == [
        "row,status,reason",
        "4,rejected,search needs a query",
        '5,rejected,"unknown event type \'teleport\' (expected one of add_to_cart, click, favorite, impression, '
        'purchase, rating, refund, remove_from_cart, review, search, view)"',
    ]
    again = printed_summary(_ok(run_cli("import", str(path), "--map", "id=event_id", "-m", "customer=user_id",
                                        "--rejects", str(rejects), database_url=database_url)))  # fmt: skip
    assert (again.accepted, again.duplicate, again.rejected) == (0, 3, 2)


def test_import_writes_rejects_under_the_data_dir_by_default(run_cli, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV)
    output = _ok(run_cli("import", str(path), data_dir=tmp_path / "dd"))
    assert (tmp_path / "dd" / "imports" / "events.rejected.csv").is_file()
    assert "events.rejected.csv" in re.sub(r"\s+", "", output)


def test_import_refuses_problems_with_the_file(run_cli, tmp_path: Path) -> None:  # noqa: ANN001
    from shopsense.ingest.readers import ImportFormatError

    odd = tmp_path / "odd.csv"
    odd.write_text("event_id,colour\n1,red\n")
    for args, message in (
        ((str(tmp_path / "absent.csv"),), "no such file"),
        ((str(tmp_path / "events.xlsx"),), "cannot tell the format of events.xlsx"),
        ((str(odd), "--format", "xml"), "unknown format 'xml'"),
        ((str(odd),), "unknown columns 'colour'"),
        ((str(odd), "--map", "colour"), "expected COLUMN=FIELD"),
    ):
        result = run_cli("import", *args)
        assert isinstance(result.exception, ImportFormatError), (args, result.output, result.exception)
        assert message in str(result.exception)


def test_stats_show_counts_and_time_range(run_cli, database_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV)
    _ok(run_cli("import", str(path), database_url=database_url))
    output = _ok(run_cli("stats", database_url=database_url))
    rows = {m.group(1).strip(): int(m.group(2).replace(",", "")) for m in re.finditer(r"│ ([^│]+?)\s*│\s*([\d,]+) │", output)}
    assert rows["events: view"] == 2
    assert rows["events: purchase"] == 1
    assert "events: search" not in rows  # the search row had no query and was rejected
    assert rows["events: total"] == 3
    assert rows["users with events"] == 2
    assert rows["items with events"] == 2
    assert rows["users in catalogue"] == 2
    assert "time range: 2023-05-01 10:00 .. 2023-05-01 10:04 UTC" in output


def test_stats_on_an_empty_store(run_cli, database_url: str) -> None:  # noqa: ANN001
    output = _ok(run_cli("stats", database_url=database_url))
    assert re.search(r"events: total\s*│\s*0 ", output)
    assert "time range" not in output


# ---- the real executable: known problems exit 2 with one clear line, never a traceback ------------------


def _error_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    odd = tmp_path / "odd.csv"
    odd.write_text("event_id,colour\n1,red\n")
    return {
        "missing file": (["import", str(tmp_path / "absent.csv")], f"error: {tmp_path / 'absent.csv'}: no such file"),
        "unknown suffix": (["import", str(tmp_path / "events.xlsx")], "error: cannot tell the format of events.xlsx"),
        "unknown format": (["import", str(odd), "--format", "xml"], "error: unknown format 'xml'; expected one of csv"),
        "unknown column": (["import", str(odd)], "error: unknown columns 'colour': map each with --map"),
        "bad mapping": (["import", str(odd), "--map", "colour=hue"], "error: --map 'colour=hue': unknown field 'hue'"),
        "bad database": (["--database-url", "mysql://u@h/db", "init"], "error: unsupported database backend 'mysql'"),
        "not parquet": (["import", str(odd), "--format", "parquet"], "error: odd.csv: cannot read as Parquet"),
        "bad setting": (["init"], "error: SHOPSENSE_PORT='eighty'"),
    }


def _assert_clean_error(name: str, returncode: int, output: str, expected: str) -> None:
    assert returncode == 2, (name, returncode, output)
    assert "Traceback" not in output, (name, output)
    assert expected in " ".join(output.split()), (name, output)
    assert len([line for line in output.splitlines() if line.startswith("error: ")]) == 1, (name, output)


@pytest.mark.parametrize(
    "case",
    ["missing file", "unknown suffix", "unknown format", "unknown column", "bad mapping", "bad database",
     "not parquet", "bad setting"],
)  # fmt: skip
def test_main_turns_user_errors_into_exit_2(
    case: str, tmp_path: Path, clean_env: dict, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:  # noqa: ANN001
    """The console entry point in-process (fast), for every kind of known problem."""
    from shopsense.cli import main

    args, expected = _error_cases(tmp_path)[case]
    if case == "bad setting":
        monkeypatch.setenv("SHOPSENSE_PORT", "eighty")
    monkeypatch.setattr("sys.argv", ["shopsense", "--data-dir", str(tmp_path / "data"), *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    _assert_clean_error(case, exited.value.code, captured.out + captured.err, expected)


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    expected: str  # the message the run should print


@pytest.fixture(scope="module")
def real_runs(shopsense_executable: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Finished]:
    """Every real-process run of this module, started side by side (process start-up dominates their cost)."""
    tmp = tmp_path_factory.mktemp("real-cli")
    env = {k: v for k, v in os.environ.items() if not (k.startswith("SHOPSENSE_") and not k.startswith("SHOPSENSE_TEST_"))}
    long_absent = tmp / ("a-long-directory-name-" * 4) / "absent.csv"
    commands = {
        name: ([shopsense_executable, "--data-dir", str(tmp / name), *args], env, expected)
        for name, (args, expected) in _error_cases(tmp).items()
        if name in ("missing file", "unknown format", "bad database")
    }  # each with its own data dir: concurrent first opens of one store have their own test
    commands["long error"] = ([shopsense_executable, "--data-dir", str(tmp / "long"), "import", str(long_absent)],
                              {**env, "COLUMNS": "80"}, f"error: {long_absent}: no such file")  # fmt: skip
    commands["python -m"] = ([sys.executable, "-m", "shopsense.cli", "--help"], env, "")
    running = {name: subprocess.Popen(argv, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name, (argv, environment, _) in commands.items()}  # fmt: skip
    finished = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=120)
        finished[name] = Finished(process.returncode, stdout, stderr, commands[name][2])
    return finished


@pytest.mark.parametrize("case", ["missing file", "unknown format", "bad database"])
def test_the_installed_executable_exits_2_without_a_traceback(real_runs: dict, case: str) -> None:
    run = real_runs[case]
    _assert_clean_error(case, run.returncode, run.stdout + run.stderr, run.expected)


def test_a_long_error_stays_on_one_line(real_runs: dict) -> None:
    """Rich used to wrap the message at 80 columns when the output was not a terminal."""
    run = real_runs["long error"]
    assert run.returncode == 2
    assert (run.stdout + run.stderr).strip().splitlines() == [run.expected]


def test_python_dash_m_runs_the_cli(real_runs: dict) -> None:
    run = real_runs["python -m"]
    assert run.returncode == 0, run.stderr
    for command in ("init", "import", "serve", "demo", "keys", "stats"):
        assert re.search(rf"│ {command}\b", run.stdout), (command, run.stdout)


def test_train_takes_the_models_to_train(run_cli, database_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV)
    _ok(run_cli("import", str(path), database_url=database_url))
    output = _ok(run_cli("train", "--models", "popularity", database_url=database_url))
    assert "trained popularity" in output and "itemknn" not in output
    unknown = run_cli("train", "--models", "popularity,nope", database_url=database_url)
    assert unknown.exit_code == 2 and "unknown model 'nope'" in unknown.output
    db = open_database(database_url)
    try:
        assert [v.name for v in db.registry.versions() if v.active and v.name != "profiles"] == ["popularity"]
    finally:
        db.close()

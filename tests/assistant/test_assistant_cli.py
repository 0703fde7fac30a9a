"""``shopsense assistant knowledge …`` and the argument checks of ``shopsense bench assistant``, in-process."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

importlib.import_module("shopsense.cli.assistant")  # registers the commands, as shopsense.cli.main does
from shopsense.cli.app import app  # noqa: E402


@pytest.fixture
def run(tmp_path: Path):  # noqa: ANN201
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["--data-dir", str(tmp_path / "data"), *args])


def test_knowledge_upload_list_delete(run, tmp_path: Path) -> None:  # noqa: ANN001
    policy = tmp_path / "returns.md"
    policy.write_text("# Returns\n## Window\nThirty days.\n## Refunds\nFive business days.\n", encoding="utf-8")
    uploaded = run("assistant", "knowledge", "upload", str(policy))
    assert uploaded.exit_code == 0, uploaded.output
    assert "stored 'returns' (2 sections)" in uploaded.output
    listed = run("assistant", "knowledge", "list")
    assert "returns" in listed.output and "Returns" in listed.output
    assert run("assistant", "knowledge", "delete", "returns").exit_code == 0
    assert isinstance(run("assistant", "knowledge", "delete", "returns").exception, FileNotFoundError)


def test_bench_rejects_unknown_parts_matchers_and_missing_data(run, tmp_path: Path) -> None:  # noqa: ANN001
    unknown = run("bench", "assistant", "--parts", "intents,vibes")
    assert unknown.exit_code == 2 and "unknown parts vibes" in unknown.output
    matcher = run("bench", "assistant", "--parts", "answers", "--matcher", "bert")
    assert matcher.exit_code == 2 and "unknown matcher 'bert'" in matcher.output
    missing = run("bench", "assistant", "--parts", "intents", "--data", str(tmp_path / "nowhere"))
    assert isinstance(missing.exception, FileNotFoundError) and "bitext_customer_service_8k.csv" in str(missing.exception)

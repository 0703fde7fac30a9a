"""Model registry: versions with metrics, atomic activation under load, rollback (API and CLI)."""

from __future__ import annotations

import threading
import time

from conftest import ShopApi
from typer.testing import CliRunner

from shopsense.config import load_settings
from shopsense.pipeline.train import train_models
from shopsense.profiles.rebuild import rebuild_profiles


def _second_version(shop: ShopApi) -> tuple[str, str]:
    first = shop.db.registry.active("itemknn").version
    train_models(shop.db, load_settings(env={}, data_dir=shop.data_dir))
    second = shop.db.registry.active("itemknn").version
    assert first != second
    return first, second


def test_training_registers_versions_with_metrics(shop: ShopApi) -> None:
    versions = shop.http.get("/v1/models", headers=shop.admin).json()
    names = {v["name"] for v in versions["versions"] if v["active"]}
    assert names == {"popularity", "itemknn", "also_bought"}
    assert all(v["metrics"]["interactions"] > 0 and "fit_seconds" in v["metrics"] for v in versions["versions"])
    assert set(versions["serving"]) == names and versions["last_error"] is None


def test_requests_during_activation_never_fail(shop: ShopApi) -> None:
    first, second = _second_version(shop)
    seen: set[str] = set()
    failures: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            response = shop.http.get("/v1/users/u3/recommendations", headers=shop.client)
            body = response.json()
            if response.status_code != 200 or not body["items"]:
                failures.append(response.text)
            else:
                seen.add(body["models"]["itemknn"])

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        for n in range(16):
            version = (first, second)[n % 2]
            response = shop.http.post("/v1/models/itemknn/activate", json={"version": version}, headers=shop.admin)
            assert response.status_code == 200, response.text
            assert response.json()["serving"]["itemknn"] == version
    finally:
        stop.set()
        worker.join()
    assert not failures, failures[:3]
    assert seen <= {first, second} and len(seen) == 2


def test_rollback_over_the_api(shop: ShopApi, error_of) -> None:  # noqa: ANN001
    first, second = _second_version(shop)
    shop.http.app.state.serving.refresh()
    assert shop.recommend("u1")["models"]["itemknn"] == second
    response = shop.http.post("/v1/models/itemknn/rollback", headers=shop.admin)
    assert response.status_code == 200 and response.json()["active"]["version"] == first
    assert shop.recommend("u1")["models"]["itemknn"] == first  # swapped in at once
    error_of(shop.http.post("/v1/models/itemknn/rollback", headers=shop.admin), 409, "conflict", "no active version")
    error_of(shop.http.post("/v1/models/itemknn/activate", json={"version": "nope"}, headers=shop.admin), 404, "not_found")
    error_of(shop.http.post("/v1/models/itemknn/activate", json={"version": first}, headers=shop.client), 403, "forbidden")


def test_a_broken_artifact_is_refused_and_serving_goes_on(shop: ShopApi, error_of) -> None:  # noqa: ANN001
    serving = shop.db.registry.active("itemknn").version
    shop.db.registry.register("itemknn", "broken", shop.data_dir / "nowhere", {}, activate=False)
    error_of(shop.http.post("/v1/models/itemknn/activate", json={"version": "broken"}, headers=shop.admin), 409, "conflict", "cannot be loaded")
    shop.db.registry.activate("itemknn", "broken")  # activated behind the server's back: it keeps the old version
    runtime = shop.http.app.state.serving
    assert runtime.refresh() is False and "model load failed" in runtime.last_error
    assert shop.recommend("u1")["models"]["itemknn"] == serving


def test_rollback_and_activate_from_the_command_line(shop: ShopApi) -> None:
    import shopsense.cli.serving  # noqa: F401 - registers the commands
    from shopsense.cli.app import app

    first, second = _second_version(shop)
    url = str(shop.db.engine.url.render_as_string(hide_password=False))
    run = lambda *args: CliRunner().invoke(app, ["--data-dir", str(shop.data_dir), "--database-url", url, *args])  # noqa: E731
    listed = CliRunner().invoke(app, ["--data-dir", str(shop.data_dir), "--database-url", url, "model", "list", "itemknn"], env={"COLUMNS": "300"})
    assert listed.exit_code == 0 and first in listed.output and second in listed.output
    assert run("model", "rollback", "itemknn").exit_code == 0
    assert shop.db.registry.active("itemknn").version == first
    assert run("model", "activate", "itemknn", second).exit_code == 0
    assert shop.db.registry.active("itemknn").version == second
    assert run("model", "activate", "itemknn", "nope").exit_code != 0


def test_scheduled_retraining_runs_beside_serving(shop: ShopApi) -> None:
    from shopsense.pipeline.schedule import RetrainScheduler

    url = shop.db.engine.url.render_as_string(hide_password=False)
    before = shop.db.registry.active("itemknn").version
    scheduler = RetrainScheduler(load_settings(env={}, data_dir=shop.data_dir, database_url=url), interval_s=0.2)
    scheduler.start()
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:  # requests keep being answered while the training process runs
            assert shop.recommend("u1")["items"]
            if shop.db.registry.active("itemknn").version != before:
                break
    finally:
        scheduler.stop()
    assert scheduler.runs >= 1 and shop.db.registry.active("itemknn").version != before
    shop.http.app.state.serving.refresh()
    assert shop.recommend("u1")["models"]["itemknn"] != before


def test_an_active_profile_model_is_not_taken_for_a_recommender(shop: ShopApi) -> None:
    rebuild_profiles(shop.db, shop.data_dir / "models")  # registers and activates a "profiles" version
    shop.http.app.state.serving.refresh()
    versions = shop.http.get("/v1/models", headers=shop.admin).json()
    assert versions["last_error"] is None and "profiles" not in versions["serving"]
    assert shop.http.get("/v1/users/u3/recommendations", headers=shop.client).status_code == 200

"""The serving runtime of one server process: the current Snapshot, its rebuilds, impression flushing.

``refresh`` builds a new Snapshot when an active model version, the catalogue, the scenario rules or the
running experiments changed, reusing every model already loaded, then swaps it in with one assignment
(see ``snapshot``). A background thread calls it every ``refresh_seconds`` (so an activation made by the
CLI in another process reaches the server within that time), and the admin API calls it at once after
activating a version. Building happens outside the request path; a version that fails to load keeps the
previous Snapshot serving and is reported in ``last_error``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from shopsense.profiles.model import MODEL_NAME as PROFILE_MODEL
from shopsense.search.dense import E5Encoder, EmbeddingCache
from shopsense.serving.catalog import CatalogSnapshot
from shopsense.serving.content import ContentIndex
from shopsense.serving.experiments import Experiment, parse_experiment
from shopsense.serving.impressions import ImpressionLog
from shopsense.serving.models import ServedModel, load_artifact
from shopsense.serving.pipeline import RecommendationRequest, Recommendations, recommend
from shopsense.serving.rules import RulesError
from shopsense.serving.scenarios import SCENARIOS
from shopsense.serving.snapshot import Snapshot
from shopsense.storage import Database
from shopsense.storage.experiments import ExperimentStore
from shopsense.storage.impressions import ImpressionStore
from shopsense.storage.serving import ServingReads

log = logging.getLogger("shopsense.serving")


class ServingUnavailable(RuntimeError):
    """No snapshot could be built yet (no schema, or a model that cannot be loaded); the message says why."""


class Runtime:
    def __init__(self, db: Database, *, refresh_seconds: float = 1.0, content_dir: Path | None = None) -> None:
        """content_dir: where the catalogue's text embeddings are cached (shared with search, same texts);
        None serves no text recall."""
        self.db = db
        self.content_dir = content_dir
        self._encoder = E5Encoder(num_threads=1)  # loads its model on first use only
        self.reads = ServingReads(db.engine)
        self.experiments = ExperimentStore(db.engine)
        self.impressions = ImpressionLog(ImpressionStore(db.engine))
        self.refresh_seconds = refresh_seconds
        self.last_error: str | None = None
        self._snapshot: Snapshot | None = None
        self._build_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - whatever it is, the caller gets one clear error
                self.last_error = f"recommendations are not ready: {exc}"
                raise ServingUnavailable(self.last_error) from exc
        return self._snapshot  # type: ignore[return-value]

    def recommend(self, request: RecommendationRequest) -> Recommendations:
        result = recommend(self.snapshot, self.reads, request)
        self.impressions.log(result)
        return result

    def refresh(self) -> bool:
        """Rebuild and swap in the Snapshot if anything it holds changed; True when it was replaced."""
        with self._build_lock:
            old = self._snapshot
            version = self.reads.catalogue_version()
            same_catalog = old is not None and old.catalog.version == version
            catalog = old.catalog if same_catalog else CatalogSnapshot.build(self.db.catalog.iter_items(), version)
            registered = self.db.registry.versions()
            paths = {(v.name, v.version): v.path for v in registered}
            active = [v for v in registered if v.active and v.name != PROFILE_MODEL]  # profiles serve no items
            experiments = self._running_experiments()
            wanted = sorted({(s, v) for e in experiments for var in e.variants for s, v in var.models.items()} & set(paths))
            known = {} if old is None else {(m.slot, m.version): m for m in (*old.models.values(), *old.pinned.values())}

            def served(slot: str, version: str) -> ServedModel:
                current = known.get((slot, version))
                if current is not None:
                    return current if same_catalog else current.realigned(catalog)
                return ServedModel.of(slot, version, load_artifact(paths[slot, version]), catalog)

            try:
                models = {v.name: served(v.name, v.version) for v in active}
                pinned = {key: served(*key) for key in wanted}
            except Exception as exc:  # noqa: BLE001 - keep serving the old snapshot, say why
                self.last_error = f"model load failed, still serving the previous versions: {exc}"
                log.error(self.last_error)
                if old is not None:
                    return False
                raise
            rules = self._rules()
            unchanged = old is not None and same_catalog and old.rules == rules and old.experiments == experiments
            if unchanged and _versions(old.models) == _versions(models) and set(old.pinned) == set(pinned):
                return False
            content = old.content if same_catalog else self._content(catalog)
            self._snapshot = Snapshot(catalog, models, rules, experiments, pinned, content)
            self.last_error = None
            return True

    def _content(self, catalog: CatalogSnapshot) -> ContentIndex | None:
        """Text embeddings of ``catalog`` (only new or changed texts are encoded), when enabled."""
        if self.content_dir is None:
            return None
        return ContentIndex.build(catalog, EmbeddingCache(self.content_dir, self._encoder))  # reread: search adds too

    def _rules(self) -> dict:
        stored = self.reads.scenario_rules()
        rules = {}
        for name, scenario in SCENARIOS.items():
            try:
                rules[name] = scenario.defaults.merged(stored.get(name, {}))
            except RulesError as exc:  # stored by an older version: keep the defaults, say why
                log.error("scenario %s: stored rules ignored: %s", name, exc)
                rules[name] = scenario.defaults
        return rules

    def _running_experiments(self) -> tuple[Experiment, ...]:
        return tuple(
            parse_experiment(e.experiment_id, e.definition, set(SCENARIOS)) for e in self.experiments.list("running")
        )

    # background work -------------------------------------------------------------------------------

    def start(self) -> None:
        """Build the first snapshot (so the first request finds the models loaded), then refresh in the
        background; a store without its schema yet still starts, and is retried every interval."""
        try:
            self.snapshot  # noqa: B018
        except ServingUnavailable as exc:
            log.error("%s", exc)
        self._thread = threading.Thread(target=self._loop, name="shopsense-serving-refresh", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            try:
                self.impressions.flush()
                self.refresh()
            except Exception:  # noqa: BLE001 - a failing refresh must not end the loop
                log.exception("serving refresh failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.impressions.flush()
        self.reads.close()


def _versions(models: dict[str, ServedModel]) -> dict[str, str]:
    return {slot: m.version for slot, m in models.items()}

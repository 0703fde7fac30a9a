"""The garbage-collector pause shared by concurrent ingest threads."""

from __future__ import annotations

import gc

from shopsense.profiles.collector import collector_paused


def test_the_collector_is_back_on_only_when_the_last_pause_ends() -> None:
    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # another thread is still inside
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_switched_off_elsewhere_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_still_ends_the_pause() -> None:
    try:
        with collector_paused():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()

"""What the explorer's pages share: files, error placement, the form and the worker."""

from __future__ import annotations

import threading
import tomllib

import panel as pn
import pytest

from sccgames import limits
from sccgames.experiments.config import ConfigError
from sccgames.explorer.common import (
    Form,
    Worker,
    field_at,
    read_experiment,
    stop_point,
    toml_text,
)
from sccgames.explorer.setups import check_shown, first_difference

SOCIETY = {"kind": "society", "society": {"rounds": 3, "population": {"size": 10}}}


def test_toml_text_leaves_out_what_is_none_and_reads_back():
    config = {"kind": "society", "seed": None, "society": {"rounds": 3, "regime": None}}
    text = toml_text(config, "made by a test")
    assert text.startswith("# made by a test\n")
    assert tomllib.loads(text) == {"kind": "society", "society": {"rounds": 3}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kind = ", "not a TOML file"),
        (b"\xff\xfe", "not a TOML file"),
        (b"x" * (limits.MAX_FILE_BYTES + 1), "experiment files have at most"),
        (b'kind = "society"\n[society]\nrounds = 0\n[society.population]\nsize = 10\n', "rounds"),
    ],
)
def test_a_bad_file_is_one_line_naming_what_is_wrong(data, message):
    with pytest.raises(ConfigError, match=message) as caught:
        read_experiment(data, "upload.toml")
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("upload.toml")


def test_a_good_file_is_an_experiment():
    assert read_experiment(toml_text(SOCIETY).encode(), "f.toml").society.rounds == 3


WHERE = {
    "society.regime.fine": "fine",
    "society.regime.coverage.watched": "watched",
    "society.regime.coverage.unwatched": "unwatched",
    "society.schedule[1].start": "introduce",
}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("society.regime.fine", "fine"),  # the value itself
        ("society.regime.coverage.unwatched", "unwatched"),
        ("society.regime.coverage", "watched"),  # a table holding fields: its first
        ("society.regime.fine.deeper", "fine"),  # inside a field's value
        ("society.schedule", "introduce"),
        ("society.population.size", None),  # written by no field: above the form
        ("society.regime.fin", None),  # a prefix of a key is not the key
    ],
)
def test_an_error_path_finds_the_field_that_wrote_it(path, field):
    assert field_at(path, WHERE) == field


def test_the_form_shows_an_error_by_its_field_or_above_and_marks_an_empty_field():
    form = Form({"fine": pn.widgets.FloatInput(value=1.0), "seed": pn.widgets.IntInput(value=1)})
    assert form.widgets["fine"].css_classes == ["field-fine"]
    assert form.show(ConfigError("must be >= 0, got -1", "society.regime.fine"), WHERE) == "fine"
    assert form.messages["fine"].visible and form.messages["fine"].object == "must be >= 0, got -1"
    assert form.show(ConfigError("too big", "society.population.size", "f"), WHERE) is None
    assert not form.messages["fine"].visible
    assert form.general.visible and form.general.object == "f: society.population.size: too big"
    form.set_values({"seed": None})
    assert form.show_empty() == "seed"
    assert form.messages["seed"].object == "empty: enter a value"
    assert form.show_empty(optional=("seed",)) is None


def test_first_difference_names_the_first_key_path_that_differs():
    a = {"x": {"y": [1, {"z": 2}]}, "w": 0}
    assert first_difference(a, a) is None
    assert first_difference(a, {"x": {"y": [1, {"z": 3}]}, "w": 0}) == "x.y[1].z"
    assert first_difference(a, {"x": {"y": [1]}, "w": 0}) == "x.y"
    assert first_difference(a, {"x": {"y": [1, {"z": 2}]}}) == "w"


def test_check_shown_refuses_by_the_first_setting_the_page_lost():
    from sccgames.experiments.config import parse

    raw = parse({**SOCIETY, "society": {**SOCIETY["society"], "dtype": "float64"}}).raw
    check_shown(raw, raw, "test")  # everything shown: no error
    with pytest.raises(ConfigError, match=r"test page cannot show this setting \('float64'\)") as e:
        check_shown(raw, SOCIETY, "test")
    assert e.value.path == "society.dtype"


def run_to_end(worker: Worker) -> None:
    worker.thread.join(30)
    worker.refresh()


class Repeating:
    """A stand-in for a page's periodic callback: the test calls ``refresh`` itself."""

    def __init__(self, function, period):
        self.running, self.period = True, period

    def stop(self):
        self.running = False


def worker_for(items: list, ends: list) -> Worker:
    return Worker(items.extend, ends.append, repeat=Repeating)


def test_the_worker_hands_over_every_item_then_says_how_it_ended():
    items, ends = [], []
    worker = worker_for(items, ends)
    numbers = iter(range(10))
    assert worker.start(numbers, limit=4)
    repeating = worker.callback
    assert repeating.running and repeating.period == 50
    run_to_end(worker)
    assert (items, ends) == ([0, 1, 2, 3], ["paused"])
    # nothing left to hand over: the page's periodic callback stops until the next start
    assert not repeating.running and worker.callback is None
    assert worker.start(numbers)  # resumes where it left off
    run_to_end(worker)
    assert (items[4:], ends[1:]) == ([4, 5, 6, 7, 8, 9], ["finished"])
    worker.refresh()
    assert ends == ["paused", "finished"]  # reported once


def test_the_worker_stops_when_asked_and_reports_an_error_without_raising():
    items, ends = [], []
    worker = worker_for(items, ends)
    gate = threading.Event()

    def slow():
        yield 1
        gate.wait(30)
        yield 2
        yield 3

    assert worker.start(slow())
    assert not worker.start(iter([9]))  # one run at a time
    worker.stop()
    gate.set()
    run_to_end(worker)
    assert ends == ["paused"] and items in ([1], [1, 2])

    def failing():
        yield 1
        raise ValueError("SocialCredit.fine must be >= 0")

    worker.start(failing())
    run_to_end(worker)
    assert ends[-1] == "error: SocialCredit.fine must be >= 0"


def test_a_computation_reporting_progress_stops_inside_when_the_worker_is_stopped():
    items, ends = [], []
    worker = worker_for(items, ends)
    reports = []

    def long_computation(halt):
        check = stop_point(halt)
        for k in range(10**6):  # one item at the end, progress reported all along
            reports.append(k)
            if k == 3:
                worker.stop()
            check(k)
        yield "done"

    worker.start(long_computation(worker.halt))
    run_to_end(worker)
    assert (items, ends, reports) == ([], ["paused"], [0, 1, 2, 3])

"""The progress reporter of long jobs (`ablation.core.logs.Progress`), on a fake clock."""

import logging
import threading

import pytest
import torch

from ablation.core.logs import Progress, duration

LOGGER = logging.getLogger("ablation.test_progress")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER.name]


@pytest.fixture
def caplog_info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    return caplog


def test_a_line_at_every_tenth_when_batches_do_not_divide_the_total(caplog_info: pytest.LogCaptureFixture) -> None:
    """Batches of 64 of 1,000 images (the bug: one line, at the end): ten lines, at the first batch past each
    tenth, the last at 100 %."""
    clock = Clock()
    progress = Progress(1000, "sweep", "images", LOGGER, clock=clock)
    logged_at = []
    done = 0
    while done < 1000:
        batch = min(64, 1000 - done)
        clock.now += 1.0  # a batch a second: never 60 s without a line
        before = len(lines(caplog_info))
        progress.advance(batch)
        done += batch
        if len(lines(caplog_info)) > before:
            logged_at.append(done)
    assert logged_at == [128, 256, 320, 448, 512, 640, 704, 832, 960, 1000]
    assert lines(caplog_info)[0] == "sweep: 128/1,000 images (12 %) in 2.0 s, 64 images/s, about 14 s left"
    assert lines(caplog_info)[-1] == "sweep: 1,000/1,000 images (100 %) in 16 s, 62.5 images/s"


def test_a_line_after_a_minute_without_a_tenth(caplog_info: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    progress = Progress(10_000, "training", "batches", LOGGER, clock=clock)
    for _ in range(59):
        clock.now += 1.0
        progress.advance(10)  # 590 batches in 59 s: under a tenth, under a minute
    assert lines(caplog_info) == []
    clock.now += 1.0
    progress.advance(10)
    # 600 batches in 60 s: 10 per second, 9,400 left: 940 s.
    assert lines(caplog_info) == ["training: 600/10,000 batches (6 %) in 1 min 00 s, 10 batches/s, about 15 min 40 s "
                                  "left"]
    clock.now += 59.0
    progress.advance(0)
    assert len(lines(caplog_info)) == 1  # 59 s since the last line
    clock.now += 1.0
    progress.tick()
    assert lines(caplog_info)[-1] == ("training: 600/10,000 batches (6 %) in 2 min 00 s, 5 batches/s, "
                                      "about 31 min 20 s left")


def test_several_tenths_at_once_give_one_line_and_nothing_after_the_end(caplog_info: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    progress = Progress(10, "Shapley games", "networks", LOGGER, clock=clock)
    clock.now = 3600.0
    progress.advance(3.5)
    assert lines(caplog_info) == ["Shapley games: 3.5/10 networks (35 %) in 1 h 00 min, 0.000972 networks/s, "
                                  "about 1 h 51 min left"]
    clock.now = 7200.0
    progress.update(10)
    clock.now = 9000.0
    progress.advance(1)
    progress.tick()
    progress.finish()
    assert lines(caplog_info)[1:] == ["Shapley games: 10/10 networks (100 %) in 2 h 00 min, 0.00139 networks/s"]


def test_nothing_done_yet_and_an_early_finish(caplog_info: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    progress = Progress(1000, "t-SNE", "iterations", LOGGER, clock=clock)
    clock.now = 61.0
    progress.tick()
    clock.now = 100.0
    progress.update(650)
    progress.finish()
    assert lines(caplog_info) == ["t-SNE: 0/1,000 iterations (0 %) in 1 min 01 s, 0 iterations/s, time left unknown",
                                  "t-SNE: 650/1,000 iterations (65 %) in 1 min 40 s, 6.5 iterations/s, about 54 s left",
                                  "t-SNE: 650/1,000 iterations (65 %) in 1 min 40 s, 6.5 iterations/s, finished"]


def test_no_time_elapsed_and_an_empty_job(caplog_info: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    Progress(10, "instant", "items", LOGGER, clock=clock).advance(10)
    Progress(0, "empty", "items", LOGGER, clock=clock).finish()
    assert lines(caplog_info) == ["instant: 10/10 items (100 %) in 0.0 s", "empty: 0/0 items (100 %) in 0.0 s"]


def test_the_heartbeat_logs_while_the_work_reports_nothing(caplog_info: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    progress = Progress(100, "t-SNE", "iterations", LOGGER, clock=clock)
    beaten = threading.Event()

    def seen(_record: logging.LogRecord) -> bool:
        beaten.set()
        return True

    LOGGER.addFilter(seen)
    try:
        with progress.heartbeat(interval=0.001):
            clock.now = 60.0  # nothing advances: only the heartbeat's thread can log
            assert beaten.wait(10), "no line from the heartbeat"
    finally:
        LOGGER.removeFilter(seen)
    assert lines(caplog_info)[0] == "t-SNE: 0/100 iterations (0 %) in 1 min 00 s, 0 iterations/s, time left unknown"


@pytest.mark.parametrize(("seconds", "text"), [(0.04, "0.0 s"), (9.94, "9.9 s"), (9.96, "10 s"), (59.4, "59 s"),
                                               (60, "1 min 00 s"), (3599, "59 min 59 s"), (3600, "1 h 00 min"),
                                               (7 * 3600 + 65, "7 h 01 min")])
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_the_sweep_reports_every_tenth_of_its_images(caplog: pytest.LogCaptureFixture) -> None:
    """100 images in batches of 16: a line at the first batch past each tenth (the old rule: only at the end)."""
    from ablation.vgg import network as vgg
    from ablation.vgg.ablation import sweep
    from ablation.vgg.architecture import CONV_LAYERS
    from ablation.vgg.groups import FilterAblation

    torch.manual_seed(0)
    network = vgg.embedded(8).build()
    images = vgg.digit_images(torch.randint(0, 256, (100, 28, 28), dtype=torch.uint8), torch.randint(0, 10, (100,)),
                              "random digits")
    caplog.set_level(logging.INFO, logger="ablation")
    sweep(network, images, [FilterAblation(CONV_LAYERS[1], "random", 0.25, 0, (0, 1))], "activation",
          batch_size=16, branch_images=512, precision="auto")
    done = [line.split(":")[1].split("/")[0].strip() for line in (r.getMessage() for r in caplog.records)
            if line.startswith("sweep of 1 ablations:")]
    assert done == ["16", "32", "48", "64", "80", "96", "100"]
    assert caplog.records[-1].getMessage().startswith("sweep of 1 ablations: 100/100 images (100 %) in ")


def test_t_sne_iterations_advance_the_progress_and_the_rest_goes_to_debug(caplog_info: pytest.LogCaptureFixture
                                                                          ) -> None:
    from ablation.mnist.embedding import _Verbose

    clock = Clock()
    progress = Progress(1000, "t-SNE", "iterations", LOGGER, clock=clock)
    verbose = _Verbose(progress)
    clock.now = 10.0
    verbose.write("[t-SNE] Computed neighbors for 1000 samples in 0.1s...\n[t-SNE] Iteration 5")
    verbose.write("0: error = 1.0, gradient norm = 0.1 (50 iterations in 0.2s)")
    assert lines(caplog_info) == []  # the line is not complete yet
    verbose.write("\n")
    verbose.write("[t-SNE] Iteration 100: error = 1.0, gradient norm = 0.1 (50 iterations in 0.2s)\n")
    assert lines(caplog_info) == ["t-SNE: 100/1,000 iterations (10 %) in 10 s, 10 iterations/s, about 1 min 30 s left"]


def test_shapley_games_advance_one_network_each_to_exactly_the_total(caplog_info: pytest.LogCaptureFixture) -> None:
    from ablation.mnist import shapley as mnist_shapley

    generator = torch.Generator().manual_seed(0)
    progress = Progress(2, "Shapley games", "networks", LOGGER)
    settings = mnist_shapley.Settings(["hidden1", "hidden2"], 20, 10, None, 0, "cpu")
    for name in ("a", "b"):
        network = mnist_shapley.Network(torch.rand(40, 20, generator=generator),
                                        torch.randn(10, 20, generator=generator),
                                        torch.randn(10, 10, generator=generator),
                                        torch.arange(40) % 10)
        mnist_shapley.games(name, network, settings, progress)
    # Each network: half for its first layer, 40 items in tiles of 16 (0.2, 0.4, 0.5), half for its second layer.
    assert progress.done == 2
    assert [line.split()[2] for line in lines(caplog_info)] == ["0.2/2", "0.4/2", "1/2", "1.2/2", "1.4/2", "2/2"]
    assert lines(caplog_info)[-1].startswith("Shapley games: 2/2 networks (100 %) in ")

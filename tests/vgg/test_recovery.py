"""Recovery training: the paper's stopping rule, the experiments' draws, frozen prefix, exact resume."""

from __future__ import annotations

import signal

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from ablation.vgg import network as vgg
from ablation.vgg import recovery
from ablation.vgg.training import train_epoch, training_batches
from helpers import LAYER, REPO, outputs_around, recovery_settings


def test_stopping_rule_is_the_papers():
    """At least five epochs; then stop once top-5 rose by less than 0.05 %p over the last two epochs together."""
    settings = recovery_settings(2)
    assert (settings.min_epochs, settings.window, settings.min_improvement) == (5, 2, 0.05)
    assert not recovery.should_stop([50, 60, 61, 61.01, 61.02], settings)  # 4 epochs < 5, however flat
    assert recovery.should_stop([50, 60, 61, 62, 62.02, 62.04], settings)  # epochs 3 -> 5: +0.04 %p
    assert not recovery.should_stop([50, 60, 61, 62, 62.03, 62.05], settings)  # +0.05 %p: not less, go on
    # Two epochs together, not each: +0.01 then +0.1 is +0.11 over two epochs.
    assert not recovery.should_stop([50, 60, 61, 62, 62.01, 62.11], settings)
    assert recovery.should_stop([50, 60, 61, 62, 62.5, 62.4, 62.45], settings)  # a dip counts: -0.05 over two
    assert recovery.should_stop([50] + [50 + e for e in range(1, 21)], settings)  # max_epochs (20)
    assert not recovery.should_stop([50] * 6, recovery_settings(1))  # five epochs of six
    assert recovery.should_stop([50] * 7, recovery_settings(1))  # experiment 1: six epochs


def test_the_default_config_runs_the_papers_recovery_experiments():
    recovery_config = yaml.safe_load((REPO / "config/config.yaml").read_text())["vgg"]["recovery"]
    assert recovery_config["experiment1"]["epochs"] == 6 and recovery_config["experiment2"]["iterations"] == 6
    assert recovery_config["ratio"] == 0.25 and recovery_config["experiment2"]["min_epochs"] == 5


def test_experiment2_draws_from_all_filters_and_experiment1_resets():
    one = recovery.ablated_filters(LAYER, 64, recovery_settings(1, passes=3))
    assert [len(f) for f in one] == [16, 16, 16] and len({tuple(f) for f in one}) == 3
    two = recovery.ablated_filters(LAYER, 64, recovery_settings(2, passes=6))
    assert all(set(a) <= set(b) for a, b in zip(two, two[1:])) and len(two[0]) == 16
    # Each iteration draws 25 % of all 64 filters, already ablated ones included: the share grows as 1 - 0.75^k.
    shares = np.array([[len(f) / 64 for f in recovery.ablated_filters(
        LAYER, 64, recovery_settings(2, passes=6, seed=seed))] for seed in range(1000)])
    expected = 1 - 0.75 ** np.arange(1, 7)  # 25, 44, 58, 68, 76, 82 %
    assert np.abs(shares.mean(0) - expected).max() < 0.01, shares.mean(0)
    assert (shares[:, 1] < 0.5).mean() > 0.9, "drawn from all filters: the second draw mostly repeats some"


def test_retraining_keeps_ablated_filters_zero_and_the_prefix_frozen(network, digits):
    layer, filters = "features.23", [0, 3, 9, 30]
    index = vgg.features_index(layer)
    before = {k: v.clone() for k, v in network.state_dict().items()}
    model = recovery._AblatedLayer(network, layer, filters, "activation")
    optimizer = torch.optim.SGD(model.trainable(), lr=0.05, momentum=0.9)
    model.train_mode()
    train_epoch(model.forward, optimizer, training_batches(digits, 16, seed=0, device="cpu"), "cpu", model.keep_ablated)
    after = network.state_dict()
    for key in before:
        if int(key.split(".")[1]) < index and key.startswith("features."):
            assert torch.equal(before[key], after[key]), f"{key} moved although frozen"
    conv = network.features[index]
    assert (conv.weight[filters] == 0).all() and (conv.bias[filters] == 0).all()
    assert not torch.equal(before[f"{layer}.weight"], after[f"{layer}.weight"]), "the layer itself retrains"
    assert not torch.equal(before["classifier.6.weight"], after["classifier.6.weight"])
    network.eval()
    assert (outputs_around(network, layer, next(digits.batches(8))[0])["relu"][:, filters] == 0).all()
    model.close()


def test_recovery_resumes_exactly_after_a_kill(network, digits, tmp_path, monkeypatch):
    settings = recovery_settings(2, passes=2, min_epochs=1, window=1, min_improvement=100.0,
                                         max_epochs=2, batch_size=32, learning_rate=0.01)
    start = {k: v.clone() for k, v in network.state_dict().items()}

    def run(path):
        network.load_state_dict(start)
        checkpoint = recovery.Checkpoint(path, recovery.fingerprint(network, [LAYER], settings, "digits"))
        return recovery.run(network, [LAYER], digits, digits, settings, checkpoint)

    uninterrupted = run(tmp_path / "a.pt")
    saves, original_save = [], recovery.Checkpoint.save

    def killed_after_first_epoch(self, state):
        original_save(self, state)
        saves.append(state["position"])
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(recovery.Checkpoint, "save", killed_after_first_epoch)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "b.pt")
    monkeypatch.setattr(recovery.Checkpoint, "save", original_save)
    assert saves == [[0, 1, 1]]
    resumed = run(tmp_path / "b.pt")
    pd.testing.assert_frame_equal(resumed, uninterrupted)
    first, second = (len(f) for f in recovery.ablated_filters(LAYER, 64, settings))
    assert list(uninterrupted.iteration) == [0, 1, 1, 2, 2]
    assert list(uninterrupted.ablated_filters) == [0, first, first, second, second] and 16 < second < 32
    # Each row's images gained and lost against the intact network account for its accuracy exactly.
    intact, images = uninterrupted.iloc[0], uninterrupted.images.to_numpy()
    for metric in ("top1", "top5"):
        changed = uninterrupted[f"{metric}_gained"] - uninterrupted[f"{metric}_lost"]
        assert np.allclose(uninterrupted[metric], intact[metric] + 100 * changed / images)
    assert (uninterrupted.iloc[0][list(recovery.CHANGES)] == 0).all() and (images == len(digits)).all()


def test_sigterm_mid_epoch_writes_a_checkpoint_and_the_rerun_ends_with_the_same_table(network, digits, tmp_path):
    """A cluster's time limit sends SIGTERM (then SIGKILL): training stops after the current batch, writes the state
    so far, and exits; run again, it resumes inside that epoch and ends with the uninterrupted run's table."""
    settings = recovery_settings(2, passes=2, min_epochs=2, window=1, min_improvement=100.0, max_epochs=2,
                                 batch_size=16, learning_rate=0.01)  # 96 digits: 6 batches per epoch, 2 epochs a pass
    start = {k: v.clone() for k, v in network.state_dict().items()}

    def run(path, stop=None):
        network.load_state_dict(start)
        checkpoint = recovery.Checkpoint(path, recovery.fingerprint(network, [LAYER], settings, "digits"))
        return recovery.run(network, [LAYER], digits, digits, settings, checkpoint, stop=stop)

    uninterrupted = run(tmp_path / "a.pt")
    steps = iter(range(1, 1000))
    with recovery.sigterm_requests_stop() as requested:
        def stop() -> bool:  # the real signal, during step 9: pass 1, epoch 2, batch 3
            if next(steps) == 9:
                signal.raise_signal(signal.SIGTERM)
            return requested["stop"]

        with pytest.raises(SystemExit, match="preempted in epoch 2"):
            run(tmp_path / "b.pt", stop)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "the handler is removed again"
    partial = torch.load(tmp_path / "b.pt", weights_only=True)["partial"]
    assert (partial["epoch"], partial["batches"]) == (2, 3)
    pd.testing.assert_frame_equal(run(tmp_path / "b.pt"), uninterrupted)

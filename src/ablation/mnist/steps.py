"""The MNIST study's steps as file-to-file functions: one per workflow rule and named as it, so each script is a single
call (`grep -rn mnist_tsne` finds the rule, its script and its step).

Tensors travel in `.pt` files loaded with `weights_only=True`; tables are CSV; every step carries the
provenance (data source, settings, versions) of its inputs into its outputs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import torch

from ablation.core import data_source, digits, provenance, tables
from ablation.core.logs import Progress
from ablation.mnist import ablation as unit_ablation
from ablation.mnist import authors, outcomes, roles, shapley, statistics
from ablation.mnist import semantics as unit_semantics
from ablation.mnist.network import Stack, load_state_dict, normalise
from ablation.mnist.training import TrainingSettings, train

log = logging.getLogger("ablation")


def _load(path: str | Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def mnist_data(*, source: str, path: str | None, download_dir: str, verify_md5: bool, seed: int,
               max_train: int | None, max_test: int | None, tsne_map: str, out_data: str, out_provenance: str) -> None:
    data = digits.load(source, path, Path(download_dir), verify_md5, seed).limited(max_train, max_test)
    log.info("MNIST: %s", data.source)
    # Checked here, before the training: the authors' t-SNE map needs all of MNIST's test digits.
    log.info("t-SNE map: %s", data_source.map_kind(tsne_map, data.source))
    torch.save(data.to_dict(), out_data)
    provenance.write(provenance.record(data.source, {"mnist.data.source": source, "mnist.data.path": path}),
                     out_provenance)


def mnist_check_import(*, trained: str, initial: str, out_check: str) -> None:
    """The imported network's two files, loaded and checked (keys, shapes, finite) before anything uses them."""
    for path in (trained, initial):
        load_state_dict(path)
    provenance.write({"mnist.import": {"trained": provenance.sha256(trained), "initial": provenance.sha256(initial)}},
                     out_check)


def network_names(count: int) -> list[str]:
    return [f"net{index:02d}" for index in range(count)]


def mnist_train(*, data_path: str, indices: list[int], seed: int, settings: TrainingSettings, threads: int,
                out_path: str) -> None:
    torch.set_num_threads(threads)
    data = digits.MnistData.from_dict(_load(data_path))
    names = [network_names(max(indices) + 1)[i] for i in indices]

    def report(epoch: int, loss: torch.Tensor, accuracy: torch.Tensor) -> None:
        log.info("epoch %3d/%d  loss %.4f  test accuracy %.2f %% (min %.2f, max %.2f) over %d networks",
                 epoch, settings.epochs, loss.mean(), accuracy.mean(), accuracy.min(), accuracy.max(), len(names))

    result = train([seed + i for i in indices], data.train_images, data.train_labels, data.test_images,
                   data.test_labels, settings, on_epoch=report)
    torch.save({
        "names": names, "seeds": [seed + i for i in indices],
        "initial": result.initial.__dict__, "trained": result.trained.__dict__,
        "test_accuracy": result.test_accuracy, "train_loss": result.train_loss,
        "data": data.source, "settings": settings.__dict__,
    }, out_path)


def mnist_networks(*, chunk_paths: list[str], imported: dict[str, str] | None, out_networks: str,
                   out_history: str) -> None:
    """All networks in one file (trained chunks, then an imported network) and their training history."""
    chunks = [_load(path) for path in chunk_paths]
    names = [name for chunk in chunks for name in chunk["names"]]
    initial = [Stack(**chunk["initial"]) for chunk in chunks]
    trained = [Stack(**chunk["trained"]) for chunk in chunks]
    if imported:
        names.append(imported["name"])
        initial.append(Stack.of([load_state_dict(imported["initial"])]))
        trained.append(Stack.of([load_state_dict(imported["trained"])]))
    torch.save({"names": names, "initial": Stack.concat(initial).__dict__, "trained": Stack.concat(trained).__dict__},
               out_networks)
    history = [
        pd.DataFrame({"network": name, "epoch": np.arange(1, len(chunk["test_accuracy"]) + 1),
                      "train_loss": chunk["train_loss"][:, i].numpy(),
                      "test_accuracy": chunk["test_accuracy"][:, i].numpy()})
        for chunk in chunks for i, name in enumerate(chunk["names"])
    ]
    columns = ["network", "epoch", "train_loss", "test_accuracy"]
    (pd.concat(history) if history else pd.DataFrame(columns=columns)).to_csv(out_history, index=False)


def load_networks(path: str) -> tuple[list[str], Stack, Stack]:
    saved = _load(path)
    return saved["names"], Stack(**saved["initial"]), Stack(**saved["trained"])


def mnist_ablation(*, data_path: str, networks_path: str, evaluation: str, threads: int, out_table: str,
                   out_outcomes: str) -> None:
    torch.set_num_threads(threads)
    data = digits.MnistData.from_dict(_load(data_path))
    names, _, trained = load_networks(networks_path)
    result = unit_ablation.evaluate(trained, names, data.test_images, data.test_labels, outcomes.plan(), evaluation)
    outcomes.accuracy_table(result).to_csv(out_table, index=False, float_format="%.4f")
    result.save(out_outcomes, {"data": data.source, "networks": names, "evaluation": evaluation})


def mnist_featured(*, data_path: str, networks_path: str, outcomes_path: str, network: str, mode: str,
                   negligible_drop: float, evaluation: str, out_featured: str, out_outcomes: dict[str, str]) -> None:
    """The units each unit figure shows (`roles.featured`), and every network's outcomes under both evaluations,
    with the unit set of Fig. A.2 added: this run's evaluation copies the ablation job's rows (the figures show
    exactly the table's numbers) and adds the set; the other evaluation is computed afresh (the paper comparison
    reads each role's spread over the networks as the paper measured it)."""
    data = digits.MnistData.from_dict(_load(data_path))
    names, _, trained = load_networks(networks_path)
    main = outcomes.Outcomes.load(outcomes_path)
    chosen = roles.featured(main, network, mode, negligible_drop)
    roles.write(chosen, out_featured)
    unit_set = {f.figure: f for f in chosen}["figA2_negligible_set"].units
    extra = [a for a in [outcomes.Ablation.parse("hidden1", unit_set)] if a not in main.ablations]
    images, labels = data.test_images, data.test_labels
    for name, path in out_outcomes.items():
        if name == evaluation:
            added = unit_ablation.evaluate(trained, names, images, labels, extra, name)
            result = outcomes.Outcomes(names, main.ablations + extra, main.labels,
                                       np.concatenate([main.correct, added.correct], axis=1))
        else:
            result = unit_ablation.evaluate(trained, names, images, labels, main.ablations + extra, name)
        result.save(path, {"data": data.source, "networks": names, "evaluation": name})


def mnist_semantics(*, data_path: str, networks_path: str, featured_path: str, zeroed_path: str, semantics: list[str],
                    seed: int, top: int, resamples: int, threads: int, out_table: str, out_rankings: str) -> None:
    """Every single, pair and the Fig. A.2 set of every network under each semantics (means over the training
    digits, never evaluated), on the test digits as they are; and how each ranks units and pairs against the first.
    Zeroing's outcomes are `mnist_featured`'s on the original digits (`zeroed_path`, the same ablations): one
    evaluation of zeroing for the whole study."""
    torch.set_num_threads(threads)
    data = digits.MnistData.from_dict(_load(data_path))
    names, _, trained = load_networks(networks_path)
    unit_set = roles.read(featured_path)["figA2_negligible_set"].units
    ablations = outcomes.plan() + [a for a in [outcomes.Ablation.parse("hidden1", unit_set)]
                                   if a not in outcomes.plan()]
    held_out = normalise(data.train_images)
    frames = []
    for name in semantics:
        if name == unit_semantics.PAPER:
            result = outcomes.Outcomes.load(zeroed_path)
            if (result.ablations, result.networks) != (ablations, names):  # both jobs plan from the same files
                raise RuntimeError(f"{zeroed_path} holds other ablations or networks than the semantics' plan")
        else:
            chosen = unit_semantics.Semantics.of(name, trained, held_out, seed)
            result = unit_ablation.evaluate(trained, names, data.test_images, data.test_labels, ablations, "clean",
                                            chosen)
        frames.append(outcomes.accuracy_table(result).assign(semantics=name))
        log.info("semantics %s: %d ablations of %d networks", name, len(ablations), len(names))
    table = pd.concat(frames, ignore_index=True)
    table[["semantics", *table.columns[:-1]]].to_csv(out_table, index=False, float_format="%.4f")
    statistics.semantics_rankings(table, semantics[0], top, resamples, seed).to_csv(out_rankings, index=False,
                                                                             float_format="%.4f")


def mnist_tsne(*, data_path: str, tsne_map: str, perplexity: float, seed: int, threads: int, out_path: str) -> None:
    """The map every figure draws the test digits on; its `map` column says which (`data_source.map_kind`)."""
    data = digits.MnistData.from_dict(_load(data_path))
    kind = data_source.map_kind(tsne_map, data.source)
    if kind == data_source.AUTHORS:
        coords = authors.tsne_map()
        log.info("t-SNE: the authors' published map (%s at commit %s)", authors.TSNE_SOURCE[0], authors.COMMIT[:7])
    else:
        from ablation.mnist.embedding import tsne  # scikit-learn, only where the map is computed

        coords = tsne(data.test_images, perplexity=perplexity, seed=seed, n_jobs=threads)
    pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "label": data.test_labels.numpy(), "map": kind}).to_csv(
        out_path, index=False, float_format="%.5f")


def mnist_statistics(*, table_path: str, outcomes_path: str, networks_path: str, focus: str, resamples: int,
                     alpha: float, seed: int, out: dict[str, str]) -> None:
    """Every statistic of the study, each into the table named by its key in `out`."""
    drops = outcomes.drops(tables.read_table(table_path))
    names, initial, trained = load_networks(networks_path)
    mwu = statistics.mann_whitney(initial, trained, names)
    summary, per_network = statistics.weight_change_vs_drop(mwu, drops, focus, resamples, seed)
    run = outcomes.Outcomes.load(outcomes_path)
    frames = {
        "mann_whitney": mwu.merge(statistics.unit_drops(drops), on=["network", "layer", "units"]),
        "correlations": summary,
        "per_network_correlations": per_network,
        "selectivity": statistics.class_selectivity(drops),
        "pair_interactions": statistics.pair_interactions(drops),
        "pair_tests": statistics.pair_tests(run, alpha),
        "drops": statistics.drop_intervals(run),
        "class_gains": statistics.class_gains(run, alpha),
    }
    for name, frame in frames.items():
        frame.to_csv(out[name], index=False)


def mnist_shapley(*, data_path: str, networks_path: str, settings: shapley.Settings, threads: int, resamples: int,
                  seed: int, out: dict[str, str]) -> None:
    """Every network's Shapley values and interactions on the test digits as they are, and how they compare with
    the single drops, the pair interactions and the weight-change p-values (`shapley.correlations`)."""
    torch.set_num_threads(threads)
    numba.set_num_threads(threads)
    data = digits.MnistData.from_dict(_load(data_path))
    names, initial, trained = load_networks(networks_path)
    with torch.no_grad():
        h1 = trained.hidden(normalise(data.test_images))[0]  # as the ablation job computes it
    parts = []
    progress = Progress(len(names), "Shapley games", "networks")
    for index, name in enumerate(names):
        network = shapley.Network(h1[index], trained.fc2[index], trained.fc3[index], data.test_labels)
        parts.append(shapley.games(name, network, settings, progress))
        log.info("Shapley games of %s: %s", name, ", ".join(settings.layers))
    values, interactions, games = (pd.concat(frames, ignore_index=True) for frames in zip(*parts))
    mwu = statistics.mann_whitney(initial, trained, names)
    frames = {"values": values, "interactions": interactions, "games": games,
              "correlations": shapley.correlations(values, interactions, mwu, resamples, seed)}
    for name, frame in frames.items():
        frame.to_csv(out[name], index=False, float_format="%.10g")

"""The VGG study's choices (`ablation.vgg.choices`): made once from the config and the sweep, under the first
semantics configured, each layer choice as configured or the two most important layers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ablation.vgg import choices, statistics
from vgg_tables import LAYERS, ablation_table, with_changes

SETTINGS = choices.Settings(semantics=["literal", "activation"], metric="top5", model="embedded",
                            swept_layers=list(LAYERS), layers={name: None for name in choices.LAYER_CHOICES})


def test_every_layer_choice_is_the_most_important_layers_of_the_first_semantics_unless_configured(tmp_path):
    swept = with_changes(ablation_table())  # under activation, features.0 would rank first
    assert statistics.most_important_layers(swept, "top5", "activation")[0] == "features.0"
    chosen = choices.choose(SETTINGS, swept)
    assert chosen.semantics == "literal" and chosen.metric == "top5"
    assert chosen.most_important == chosen.recovery_layers == chosen.class_layers == chosen.shapley_layers == [
        "features.3", "features.49"]
    assert chosen.how["recovery_layers"] == "the two layers whose ablation costs the most top5 under literal"
    configured = replace(SETTINGS, layers={**SETTINGS.layers, "class_layers": ["features.49", "features.10"]})
    assert choices.choose(configured, swept).class_layers == ["features.10", "features.49"]  # in network order
    assert choices.choose(configured, swept).how["class_layers"] == "configured (vgg.figures.class_layers)"
    chosen.write(tmp_path / "choices.json")
    assert choices.Choices.read(tmp_path / "choices.json") == chosen


def test_the_papers_network_shows_the_papers_class_layers_where_they_were_swept():
    papers = replace(SETTINGS, model="vgg19_bn", swept_layers=[*LAYERS, *choices.PAPER_CLASS_LAYERS])
    assert papers.configured()["class_layers"][0] == choices.PAPER_CLASS_LAYERS
    assert "class_layers" not in replace(papers, swept_layers=list(LAYERS)).configured()


def test_nothing_waits_for_the_sweep_when_every_layer_choice_is_configured():
    configured = replace(SETTINGS, layers={name: ["features.3", "features.0"] for name in choices.LAYER_CHOICES})
    assert SETTINGS.needs_the_sweep() and not configured.needs_the_sweep()
    chosen = choices.choose(configured, None)
    assert chosen.most_important is None and chosen.recovery_layers == ["features.0", "features.3"]
    with pytest.raises(ValueError, match="no sweep table"):
        choices.choose(SETTINGS, None)

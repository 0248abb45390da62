"""The MNIST study's figures, as data: id -> the paper figure it reproduces (`fig01_` ... `fig13_`, `figA1_` ...
`figA4_`, numbered as in the paper; `extra_`: figures the paper does not have), the result files it reads, its
report category. Light on purpose: the workflow reads it when it is parsed.
"""

from __future__ import annotations

from ablation.core.figure_spec import FigureSpec

TABLE, RUN, FEATURED, TSNE, NETWORKS, HISTORY = "table", "featured_run", "featured", "tsne", "networks", "history"
MWU, CORRELATIONS, PER_NETWORK = "mann_whitney", "correlations", "per_network_correlations"
SELECTIVITY, INTERACTIONS, GAINS = "selectivity", "pair_interactions", "class_gains"
INTACT_NETWORK, SINGLES, WEIGHTS = ("1 MNIST: intact network", "2 MNIST: single-unit ablations",
                                    "3 MNIST: weights and importance")
PAIRS, APPENDIX, EXTRA = "4 MNIST: pairwise ablations", "5 MNIST: appendix", "6 MNIST: beyond the paper"
# mnist.analysis.shapley's tables (results/mnist/shapley/<name>.csv)
SHAPLEY_TABLES = ("values", "interactions", "games", "correlations")
SHAPLEY_VALUES, SHAPLEY_INTERACTIONS, _, SHAPLEY_CORRELATIONS = (f"shapley_{name}" for name in SHAPLEY_TABLES)
FEATURED_VIEW = (FEATURED, RUN, TSNE)
FIGURES = {
    "fig01_tsne": FigureSpec("Fig. 1", (TSNE,), INTACT_NETWORK),
    "fig02_intact_network": FigureSpec("Fig. 2", (RUN, TSNE), INTACT_NETWORK),
    "fig03_largest_drop": FigureSpec("Fig. 3", FEATURED_VIEW, SINGLES),
    "fig04_class_selective": FigureSpec("Fig. 4", FEATURED_VIEW, SINGLES),
    "fig05_negligible": FigureSpec("Fig. 5", FEATURED_VIEW, SINGLES),
    "fig06_subset_selective": FigureSpec("Fig. 6", FEATURED_VIEW, SINGLES),
    "fig07_largest_class_gain": FigureSpec("Fig. 7", FEATURED_VIEW, SINGLES),
    "fig08_weights_before_after": FigureSpec("Fig. 8", (NETWORKS, MWU), WEIGHTS),
    "fig09_weight_change_vs_drop": FigureSpec("Fig. 9", (MWU, CORRELATIONS), WEIGHTS),
    "fig10_coefficient_distribution": FigureSpec("Fig. 10", (PER_NETWORK,), WEIGHTS),
    "fig11_class_selectivity": FigureSpec("Fig. 11", (SELECTIVITY,), WEIGHTS),
    "fig12_super_additive_pair": FigureSpec("Fig. 12", FEATURED_VIEW, PAIRS),
    "fig13_positive_synergy_pair": FigureSpec("Fig. 13", FEATURED_VIEW, PAIRS),
    "figA1_second_many_classes": FigureSpec("Fig. A.1", FEATURED_VIEW, APPENDIX),
    "figA2_negligible_set": FigureSpec("Fig. A.2", FEATURED_VIEW, APPENDIX),
    "figA3_pair_of_fig03_and_fig04": FigureSpec("Fig. A.3", FEATURED_VIEW, APPENDIX),
    "figA4_singles_of_fig13": FigureSpec("Fig. A.4", (FEATURED, RUN), APPENDIX),
    "extra_drop_heatmap": FigureSpec(None, (TABLE,), EXTRA),
    "extra_pair_matrix": FigureSpec(None, (INTERACTIONS,), EXTRA),
    "extra_class_gains": FigureSpec(None, (GAINS,), EXTRA),
    "extra_training": FigureSpec(None, (HISTORY,), EXTRA),
    "extra_shapley_vs_single_drop": FigureSpec(None, (SHAPLEY_VALUES, SHAPLEY_CORRELATIONS), EXTRA),
    "extra_shapley_vs_weight_change": FigureSpec(None, (SHAPLEY_VALUES, MWU, SHAPLEY_CORRELATIONS), EXTRA),
    "extra_shapley_interactions": FigureSpec(None, (SHAPLEY_INTERACTIONS, SHAPLEY_CORRELATIONS), EXTRA),
    "extra_shapley_class_heatmap": FigureSpec(None, (SHAPLEY_VALUES,), EXTRA),
}
# The figures of mnist.analysis.shapley (made only when it is enabled).
SHAPLEY_FIGURES = [figure for figure, spec in FIGURES.items() if SHAPLEY_VALUES in spec.inputs
                   or SHAPLEY_INTERACTIONS in spec.inputs]
# Two sentences for every caption that shows ablation numbers (and the run summary): how they were evaluated
# (mnist.analysis.evaluation).
EVALUATION_NOTES = {
    "clean": "Numbers on the original test digits. The paper's ablation numbers were measured on digits its code had "
             "binarised (pixel > 10 becomes 255, else 0), its intact accuracy on the originals; "
             "mnist.analysis.evaluation: as_published reproduces that.",
    "as_published": "Numbers as the paper measured them: every ablation on the test digits binarised as the authors' "
                    "code left them (pixel > 10 becomes 255, else 0), the intact network on the original digits. "
                    "On the original digits alone (mnist.analysis.evaluation: clean) the drops differ; see the paper "
                    "comparison.",
}

"""Ablation studies of neural networks (Meyes et al. 2019): the science the workflow's scripts call.

Three layers; each imports only the ones below it:
- `ablation.core`: what both studies share: the digits (`digits`), errors, logs, provenance, weights files,
  tidy-table conventions, the figure style, the figure-spec type (with the report's categories and labels), tables as
  the report's HTML pages (`html_table`), and Shapley values and interactions of lesion games (`shapley`).
- `ablation.mnist` and `ablation.vgg`, side by side (neither imports the other): the MLP study (Figs. 1-13,
  A.1-A.4: network, training, ablation engine and outcomes, roles, embedding, statistics, figures, the authors'
  network, exact Shapley analysis of every lesion set) and the VGG19-BN study (Figs. 14-22: network, images, groups,
  ablation semantics and engine, the leading metric, training, recovery, statistics, figures, sampled Shapley values
  of filter groups).
- `ablation.report`: what serves both studies in the report: the paper comparison, the run summary, the home page.

Each study's `steps` module has one function per workflow rule, named as the rule (file in, file out; the report
layer's rules are in `ablation.report.steps`); its `registry` lists the figures, as data only, so that parsing the
workflow imports neither torch nor matplotlib.
"""

"""Ablation studies of neural networks (Meyes et al. 2019): the science the workflow's scripts call.

- `ablation.core`: what both studies share: errors, logs, provenance, weights files, tidy-table conventions,
  the figure style, the figure-spec type (with the report's categories and labels), tables as the report's HTML pages
  (`html_table`), and Shapley values and interactions of lesion games (`shapley`).
- `ablation.mnist`: the MLP study (Figs. 1-13, A.1-A.4): data, network, training, ablation (engine + outcomes),
  roles, embedding, statistics, figures, steps; plus the authors' network, the paper comparison, and exact
  Shapley analysis of every lesion set (`lesion_sets`, `shapley`).
- `ablation.vgg`: the VGG19-BN study (Figs. 14-22): network, images, groups, ablation (semantics + engine), the
  leading metric (`metric`), training, recovery, statistics, figures, steps; and sampled Shapley values of filter
  groups (`shapley`).
- `ablation.report`: the report above both studies: its home page (`home`), made from the paper comparison and the
  studies' provenance.

Each study's `steps` module has one function per workflow rule (file in, file out); its `registry` lists the
figures, as data only, so that parsing the workflow imports neither torch nor matplotlib.
"""

"""Ablation studies of neural networks (Meyes et al. 2019): the science the workflow's scripts call.

- `ablation.core`: what both studies share: errors, logs, provenance, weights files, tidy-table conventions,
  the figure style and the figure-spec type.
- `ablation.mnist`: the MLP study (Figs. 1-13, A.1-A.4): data, network, training, ablation (engine + outcomes),
  roles, embedding, statistics, figures, steps; plus the authors' network and the paper comparison.
- `ablation.vgg`: the VGG19-BN study (Figs. 14-22): network, images, groups, ablation (semantics + engine),
  training, recovery, statistics, figures, steps.

Each study's `steps` module has one function per workflow rule (file in, file out); its `registry` lists the
figures, as data only, so that parsing the workflow imports neither torch nor matplotlib.
"""

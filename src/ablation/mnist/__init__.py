"""The MNIST MLP study (784-20-10-10, paper section 4.1-4.2, Figs. 1-13 and A.1-A.4).

network (the digits: `ablation.core.digits`) -> training -> ablation (engine) and outcomes (which test items each
ablated network gets right) -> roles (which units each figure features), embedding (t-SNE), statistics -> figures
(drawing; `registry`: the ids) -> steps (one function per workflow rule, named as it). `authors`: the authors'
published network. Beyond the paper: `lesion_sets` (the accuracy under all 2^20 lesion sets of the first layer) ->
`shapley` (values and interactions) -> `shapley_plots`. The paper comparison is the report layer's
(`ablation.report`).
"""

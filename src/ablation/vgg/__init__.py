"""The VGG19-BN study (paper section 4.3, Figs. 14-22).

network -> images (the evaluation cache; `imagenet`: ImageNet folders) -> groups (which filters) -> ablation
(semantics + engine) -> statistics -> choices (the semantics and layers every later step uses, made once) ->
training and recovery -> figures (drawing; `registry`: the ids) -> steps (one function per workflow rule, named as
it); `metric`: the leading metric, top-1 or top-5. Beyond the paper: `shapley` (sampled Shapley values of filter
groups).
"""

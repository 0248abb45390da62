from ablation.core import logs
from ablation.vgg import steps

logs.setup(snakemake.log[0])
s = dict(snakemake.params.settings)
semantics, jobs = s.pop("semantics"), s.pop("jobs_per_semantics")
files = iter(snakemake.input.parts)  # by semantics, then layer
parts = {name: [next(files) for _ in range(jobs)] for name in semantics}
steps.vgg_sweep(network_path=snakemake.input.network, parts=parts, **s, out_table=snakemake.output.table,
                out_groups=snakemake.output.groups)

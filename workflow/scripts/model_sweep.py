from ablation.core import logs
from ablation.models import table_steps

logs.setup(snakemake.log[0])
files = iter(snakemake.input.parts)  # by semantics, then layer
parts = {name: [next(files) for _ in range(snakemake.params.jobs)] for name in snakemake.params.semantics}
table_steps.model_sweep(parts=parts, out_table=snakemake.output.table)

from ablation.core import logs, provenance
from ablation.mnist import steps

logs.setup(snakemake.log[0])
i = snakemake.input
outcomes = {evaluation: snakemake.output[evaluation] for evaluation in ("clean", "as_published")}
steps.mnist_featured(data_path=i.data, networks_path=i.networks, outcomes_path=i.outcomes, **snakemake.params.settings,
                     out_featured=snakemake.output.featured, out_outcomes=outcomes)
provenance.write(provenance.machine(), snakemake.output.machine)

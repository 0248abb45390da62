from ablation.core import logs, provenance
from ablation.mnist import steps

logs.setup(snakemake.log[0])
i, p = snakemake.input, snakemake.params
steps.mnist_featured(data_path=i.data, networks_path=i.networks, outcomes_path=i.outcomes,
              network=p.network, mode=p.featured, negligible_drop=p.negligible_drop, evaluation=p.evaluation,
              out_featured=snakemake.output.featured,
              out_outcomes={evaluation: snakemake.output[evaluation] for evaluation in ("clean", "as_published")})
provenance.write(provenance.machine(), snakemake.output.machine)

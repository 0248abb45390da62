from ablation.mnist import authors
from ablation.core import logs

logs.setup(snakemake.log[0])
for role in ("trained", "initial"):
    authors.download(role, snakemake.output[role])

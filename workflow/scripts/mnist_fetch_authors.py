from ablation.core import logs
from ablation.mnist import authors

logs.setup(snakemake.log[0])
for role in ("trained", "initial"):
    authors.download(role, snakemake.output[role])

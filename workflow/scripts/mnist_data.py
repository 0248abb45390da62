from ablation.core import logs
from ablation.mnist import steps

logs.setup(snakemake.log[0])
d = snakemake.params.data
steps.mnist_data(source=d["source"], path=d["path"], download_dir=d["download_dir"], verify_md5=d["verify_md5"],
                   seed=snakemake.params.seed, max_train=d["max_train_items"], max_test=d["max_test_items"],
                   out_data=snakemake.output.data, out_provenance=snakemake.output.record)

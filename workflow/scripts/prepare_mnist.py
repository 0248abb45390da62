from ablation import logs, steps

logs.setup(snakemake.log[0])
m = snakemake.params.mnist
steps.prepare_mnist(m["source"], m["path"], m["download_dir"], m["verify_md5"], snakemake.params.seed,
                    m["max_train_items"], m["max_test_items"], snakemake.output.data, snakemake.output.provenance)

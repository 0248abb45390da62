# The t-SNE map of the test digits and the paper's statistics on the ablations.
rule mnist_tsne:
    input:
        data="results/mnist/data.pt",
    output:
        tsne="results/mnist/tsne.csv",
        machine="results/mnist/machines/mnist_tsne.json",
    log:
        "logs/mnist/tsne.log",
    benchmark:
        "logs/benchmark/mnist_tsne.tsv"
    priority: TSNE_PRIORITY
    threads: ALL_THREADS
    resources:
        runtime=30,
        mem_mb=4000,
    params:
        settings=SETTINGS["mnist_tsne"],
    script:
        "../scripts/mnist_tsne.py"


rule mnist_statistics:
    input:
        table="results/mnist/ablations.csv",
        outcomes="results/mnist/outcomes.npz",
        networks="results/mnist/networks.pt",
    output:
        **{name: f"results/mnist/statistics/{name}.csv" for name in MNIST_STATISTICS},
        machine="results/mnist/machines/mnist_statistics.json",
    log:
        "logs/mnist/statistics.log",
    benchmark:
        "logs/benchmark/mnist_statistics.tsv"
    resources:
        runtime=20,
        mem_mb=8000,
    params:
        settings=SETTINGS["mnist_statistics"],
    script:
        "../scripts/mnist_statistics.py"


# Beyond the paper: exact Shapley values of the hidden units and interaction indices of their pairs.
rule mnist_shapley:
    input:
        data="results/mnist/data.pt",
        networks="results/mnist/networks.pt",
    output:
        **{name: f"results/mnist/shapley/{name}.csv" for name in MNIST_SHAPLEY},
        machine="results/mnist/machines/mnist_shapley.json",
    log:
        "logs/mnist/shapley.log",
    benchmark:
        "logs/benchmark/mnist_shapley.tsv"
    priority: LONG_CHAIN_PRIORITY
    threads: JOB_THREADS
    resources:
        runtime=60,
        mem_mb=8000,
        gpu=int(SHAPLEY["device"] == "cuda"),
    params:
        settings=SETTINGS["mnist_shapley"],
    script:
        "../scripts/mnist_shapley.py"

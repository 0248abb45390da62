# The networks: trained in chunks (each chunk one batched model), gathered with an imported network if any.
rule mnist_train:
    input:
        data="results/mnist/data.pt",
    output:
        networks="results/mnist/networks/chunk{chunk}.pt",
        machine="results/mnist/machines/mnist_train_chunk{chunk}.json",
    log:
        "logs/mnist/train_chunk{chunk}.log",
    benchmark:
        "logs/benchmark/mnist_train/{chunk}.tsv"
    priority: TRAINING_PRIORITY
    threads: ALL_THREADS
    resources:
        runtime=60,
        mem_mb=4000,
    params:
        settings=SETTINGS["mnist_train"],
        indices=lambda wildcards: chunk_indices(wildcards.chunk),
    script:
        "../scripts/mnist_train.py"


rule mnist_networks:
    input:
        unpack(imported_network_inputs),
        chunks=expand("results/mnist/networks/chunk{chunk}.pt", chunk=CHUNKS),
    output:
        networks="results/mnist/networks.pt",
        history="results/mnist/training_history.csv",
    log:
        "logs/mnist/networks.log",
    benchmark:
        "logs/benchmark/mnist_networks.tsv"
    priority: LONG_CHAIN_PRIORITY
    localrule: True
    params:
        settings=SETTINGS["mnist_networks"],
    script:
        "../scripts/mnist_networks.py"


if IMPORTED:

    rule mnist_check_import:
        input:
            trained=IMPORTED["trained"],
            initial=IMPORTED["initial"],
        output:
            check="results/mnist/import_check.json",
        log:
            "logs/mnist/check_import.log",
        benchmark:
            "logs/benchmark/mnist_check_import.tsv"
        priority: 100
        # The first job, light: a broken weights file fails before training starts.
        localrule: True
        script:
            "../scripts/mnist_check_import.py"


if IMPORTED and IMPORTED.get("download"):

    rule mnist_fetch_authors:
        output:
            trained=IMPORTED["trained"],
            initial=IMPORTED["initial"],
        log:
            "logs/mnist/fetch_authors.log",
        benchmark:
            "logs/benchmark/mnist_fetch_authors.tsv"
        # On the submitting node: cluster nodes often have no internet.
        localrule: True
        script:
            "../scripts/mnist_fetch_authors.py"

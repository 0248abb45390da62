# The networks: trained in chunks (each chunk one batched model), gathered with an imported network if any.
rule mnist_train:
    input:
        data="results/mnist/data.pt",
    output:
        networks="results/mnist/networks/chunk{chunk}.pt",
        machine="results/mnist/machines/mnist_train_chunk{chunk}.json",
    params:
        indices=lambda wildcards: chunk_indices(wildcards.chunk),
        training=TRAINING,
    log:
        "logs/mnist/train_chunk{chunk}.log",
    threads: MAX_THREADS
    resources:
        runtime=60,
        mem_mb=4000,
    script:
        "../scripts/mnist_train.py"


rule mnist_networks:
    localrule: True
    input:
        unpack(imported_network_inputs),
        chunks=expand("results/mnist/networks/chunk{chunk}.pt", chunk=CHUNKS),
    output:
        networks="results/mnist/networks.pt",
        history="results/mnist/training_history.csv",
    params:
        name=IMPORTED["name"] if IMPORTED else None,
    log:
        "logs/mnist/networks.log",
    script:
        "../scripts/mnist_networks.py"


if IMPORTED:

    rule mnist_check_import:
        # The first job, light: a broken weights file fails before training starts.
        localrule: True
        priority: 100
        input:
            trained=IMPORTED["trained"],
            initial=IMPORTED["initial"],
        output:
            check="results/mnist/import_check.json",
        log:
            "logs/mnist/check_import.log",
        script:
            "../scripts/mnist_check_import.py"


if IMPORTED and IMPORTED.get("download"):

    rule mnist_fetch_authors:
        # On the submitting node: cluster nodes often have no internet.
        localrule: True
        output:
            trained=IMPORTED["trained"],
            initial=IMPORTED["initial"],
        log:
            "logs/mnist/fetch_authors.log",
        script:
            "../scripts/mnist_fetch_authors.py"

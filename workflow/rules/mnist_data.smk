rule mnist_data:
    output:
        data="results/mnist/data.pt",
        record="results/mnist/data.json",
    log:
        "logs/mnist/data.log",
    benchmark:
        "logs/benchmark/mnist_data.tsv"
    resources:
        runtime=30,
        mem_mb=4000,
    params:
        settings=SETTINGS["mnist_data"],
    script:
        "../scripts/mnist_data.py"

rule variables:
    """Write _variables.yml, the numbers the prose quotes with {{< var >}}, from data/."""
    input:
        data=[spec["data"] for spec in config["variables"].values()],
        # Its lang: spells the numbers' words.
        report=config["report"],
        figures=[spec["data"] for spec in config["figures"].values()],
        package=DATA_PACKAGE,
        checked=DATA_CHECKED,
        code=code("products.variables", "products.number_words") + figure_text_code(spec["kind"] for spec in config["figures"].values()),
        config=config_part("variables"),
    output:
        variables="_variables.yml",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/variables.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step variables --out {output.variables}"

rule variables:
    """Write _variables.yml, the numbers the prose quotes with {{< var >}}, from data/."""
    input:
        data=list(config["variables"].values()),
        figures=[spec["data"] for spec in config["figures"].values()],
        code=code("variables", "data", "figure_text"),
        config="config/config.yaml",
    output:
        variables="_variables.yml",
    log:
        f"{BUILD}/logs/variables.log",
    shell:
        "{CLI} --log {log} step variables --out {output.variables}"

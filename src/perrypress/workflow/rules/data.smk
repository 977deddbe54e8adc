rule check_data:
    """Validate the data package with frictionless (types, constraints, keys, provenance); no other step imports it."""
    input:
        package=DATA_PACKAGE,
        data=package_files(),
        # The configuration names the data files (above): a changed list reruns the check, nothing else of it does.
        code=code("sources.datapackage", "sources.data_tables"),
    output:
        ok=f"{BUILD}/checks/data.ok",
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    log:
        f"{BUILD}/logs/check_data.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step check-data --out {output.ok}"

rule check_data:
    """Validate the data package with frictionless (types, constraints, keys, provenance); no other step imports it."""
    input:
        package=DATA_PACKAGE,
        data=package_files(),
        code=code("sources.datapackage", "sources.data_tables"),
        config="config/config.yaml",
    output:
        ok=f"{BUILD}/checks/data.ok",
    log:
        f"{BUILD}/logs/check_data.log",
    shell:
        "{CLI} --log {log} step check-data --out {output.ok}"

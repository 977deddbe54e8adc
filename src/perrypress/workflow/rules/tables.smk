rule table:
    """Write a table (caption, notes, source line) from its CSV as a Markdown include."""
    input:
        table_data,
        checked=DATA_CHECKED,
        code=code("products.tables", "products.markdown", "sources.data_tables"),
        # The paper's language (report.qmd's lang:) picks the words of its source line ("and").
        report=config["report"],
        labels=LABELS + code("sources.labels"),
        config=config_part("table-{slug}"),
    output:
        table=f"{BUILD}/tables/{{slug}}.md",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/table_{{slug}}.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step table {wildcards.slug} --out {output.table}"

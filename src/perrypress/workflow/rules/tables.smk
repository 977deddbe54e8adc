rule table:
    """Write a table (caption, notes, source line) from its CSV as a Markdown include."""
    input:
        table_data,
        checked=DATA_CHECKED,
        code=code("tables", "markdown", "data"),
        config="config/config.yaml",
    output:
        table=f"{BUILD}/tables/{{slug}}.md",
    log:
        f"{BUILD}/logs/table_{{slug}}.log",
    shell:
        "{CLI} --log {log} step table {wildcards.slug} --out {output.table}"

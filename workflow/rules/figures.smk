rule figure:
    """Draw a figure from its data: SVG (HTML, PDF), PDF, and PNG at 300 dpi (DOCX)."""
    input:
        figure_data,
        code=code("figure_regions", "data"),
        config="config/config.yaml",
    output:
        files=[f"figures/{{slug}}.{fmt}" for fmt in FIGURE_FORMATS],
    log:
        f"{BUILD}/logs/figure_{{slug}}.log",
    shell:
        "{CLI} --log {log} step figure {wildcards.slug} --out-dir figures"

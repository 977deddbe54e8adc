rule figure_fonts:
    """Static instances of the sans family for the figures (matplotlib cannot pick a weight in a variable font)."""
    input:
        code=code("editions.fonts", "toolchain"),
        config=config_part("fonts"),
    output:
        fonts=directory(f"{BUILD}/figure-fonts"),
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/figure_fonts.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step figure-fonts --out-dir {output.fonts}"


rule figure:
    """Draw a figure of its configured kind from its data: SVG (HTML, PDF), PDF, and PNG at 300 dpi (DOCX)."""
    input:
        figure_data,
        checked=DATA_CHECKED,
        fonts=rules.figure_fonts.output.fonts,
        code=figure_modules,
        # The paper's language (report.qmd's lang:) picks the words of its source line ("and").
        report=config["report"],
        labels=LABELS + code("sources.labels"),
        config=config_part("figure-{slug}"),
    output:
        files=[f"figures/{{slug}}.{fmt}" for fmt in FIGURE_FORMATS],
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    log:
        f"{BUILD}/logs/figure_{{slug}}.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step figure {wildcards.slug} --out-dir \"$(dirname {output.files[0]:q})\" --fonts {input.fonts}"

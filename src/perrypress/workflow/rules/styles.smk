rule reference_docx:
    """Write the DOCX edition's reference document: pandoc's own, in the house style (fonts from config)."""
    input:
        module=code("editions.reference_docx"),
        # The embedded fonts' static instances.
        fonts=code("editions.fonts"),
        config=config_part("fonts"),
    output:
        reference=f"{BUILD}/styles/reference.docx",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/reference_docx.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step reference-docx --out {output.reference}"


rule style_typst:
    """Copy the PDF layout (perry.typ) out of the package: Typst reads files under the project only."""
    input:
        layout=local(str(resources.TYPST_LAYOUT)),
    output:
        layout=f"{BUILD}/styles/{resources.TYPST_LAYOUT.name}",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/style_typst.log",
    shell:
        "cp {input.layout:q} {output.layout:q} 2> {log:q}"

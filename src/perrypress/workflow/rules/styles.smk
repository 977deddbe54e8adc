rule reference_docx:
    """Write the DOCX edition's reference document: pandoc's own, in the house style (fonts from config)."""
    input:
        module="src/perrypress/reference_docx.py",
        # The embedded fonts' static instances.
        fonts="src/perrypress/fonts.py",
        config="config/config.yaml",
    output:
        reference=f"{BUILD}/styles/reference.docx",
    log:
        f"{BUILD}/logs/reference_docx.log",
    shell:
        "{CLI} --log {log} step reference-docx --out {output.reference}"

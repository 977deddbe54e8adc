# The HTML edition as a web page: its fonts, its "Cite this paper" block, and
# the README's previews of the editions (a separate target, not part of `all`:
# it needs Chromium — `perrypress build previews`).

rule web_fonts:
    """Cut the PDF's fonts (fontpkg-* packages) to Latin as WOFF2, with their @font-face stylesheet."""
    input:
        module=code("editions.webfonts"),
        config=config_part("fonts"),
    output:
        fonts=directory(f"{BUILD}/fonts"),
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/web_fonts.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step web-fonts --out-dir {output.fonts}"


rule cite_block:
    """Write the "Cite this paper" block (Chicago, BibTeX, RIS) from report.qmd's metadata."""
    input:
        report=config["report"],
        module=code("editions.citation"),
        labels=code("sources.labels") + LABELS,
    output:
        cite=f"{BUILD}/cite.html",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/cite_block.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step cite --out {output.cite}"


rule quarto_files:
    """Write what `quarto render` reads besides the paper (_quarto.yml): pandoc files, metadata, fonts, post-render script."""
    input:
        report=config["report"],
        pandoc=PANDOC_FILES,
        module=code("workflow.quarto_files", "sources.labels") + LABELS,
        config=config_part("quarto"),
    output:
        files=directory(f"{BUILD}/quarto-files"),
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    log:
        f"{BUILD}/logs/quarto_files.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step quarto-files --out {output.files}"


rule previews:
    """PNG previews for the README: the PDF's cover and first body page, the HTML page in Chromium."""
    input:
        pdf=rules.edition_pdf.output.edition,
        html=rules.edition_html.output.edition,
    output:
        cover="docs/previews/pdf-cover.png",
        first_page="docs/previews/pdf-first-page.png",
        html="docs/previews/html-page.png",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=10,
    log:
        f"{BUILD}/logs/previews.log",
    shell:
        "{CLI} --inputs {input:q} --outputs {output:q} --log {log} step previews --pdf {input.pdf} --html {input.html} --out-dir docs/previews"

# One rule per edition. Each rule's output is the workflow's own copy of the
# edition under _build/.built/; when it is complete, the same step replaces the
# copy readers open, _build/<name>.<ext>, in one atomic rename
# (src/perrypress/workflow/last_good.py). So a failed or interrupted build never leaves
# an edition missing or half-written (the last good one stays where it was),
# and it never counts as built from the current sources: the workflow's copies
# are removed when any step fails, so the next build runs the failed step again
# (even when the failure was upstream, in a table or figure) and then every edition.
from perrypress.workflow import last_good, snakemake_process


onerror:
    last_good.forget([Path(built_edition(ext)) for ext in config["editions"]])
    snakemake_process.cancel_rescheduling_timers()


# The workflow is done: Snakemake's process need not wait a second for its scheduler's timers.
onsuccess:
    last_good.succeeded()
    snakemake_process.cancel_rescheduling_timers()


rule edition_pdf:
    """The print and download edition: pandoc's Typst writer, compiled by Typst (PDF/A-2a, PDF/UA-1)."""
    input:
        unpack(edition_inputs),
    output:
        edition=built_edition("pdf"),
        **readers_output("pdf"),
    threads: 1
    resources:
        mem_mb=1024,
        runtime=20,
    log:
        f"{BUILD}/logs/edition_pdf.log",
    # The slowest edition (pandoc, then Typst) starts first: on two cores the other two then
    # share the second core instead of the PDF starting last, after one of them.
    priority: 1
    shell:
        edition_command("pdf")


rule edition_html:
    """The web edition: one self-contained HTML page."""
    input:
        unpack(edition_inputs),
    output:
        edition=built_edition("html"),
        **readers_output("html"),
    threads: 1
    resources:
        mem_mb=1024,
        runtime=20,
    log:
        f"{BUILD}/logs/edition_html.log",
    shell:
        edition_command("html")


rule edition_docx:
    """The editors' edition: Word, with real footnotes."""
    input:
        unpack(edition_inputs),
        reference=rules.reference_docx.output.reference,
    output:
        edition=built_edition("docx"),
        **readers_output("docx"),
    threads: 1
    resources:
        mem_mb=1024,
        runtime=20,
    log:
        f"{BUILD}/logs/edition_docx.log",
    shell:
        edition_command("docx")

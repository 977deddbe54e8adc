# One rule per edition. Each builds into a temporary file and moves it into
# place only when complete, so a failed build never leaves a half-written edition.
# Snakemake deletes the outputs of a failed job; the handlers below put the last
# good edition back (src/perrypress/last_good.py), so it stays until replaced.
from perrypress import last_good

EDITIONS = [Path(f"{OUTPUT}.{ext}") for ext in config["editions"]]
LAST_GOOD = Path(BUILD) / ".last-good"


onstart:
    last_good.save(EDITIONS, LAST_GOOD)


onsuccess:
    last_good.discard(LAST_GOOD)


onerror:
    last_good.restore(EDITIONS, LAST_GOOD)


rule edition_pdf:
    """The print and download edition: pandoc's Typst writer, compiled by Typst (PDF/A-2a, PDF/UA-1)."""
    input:
        unpack(edition_inputs),
    output:
        edition=f"{OUTPUT}.pdf",
    params:
        # A params change reruns the edition: switching draft/release rebuilds it.
        release=RELEASE,
    log:
        f"{BUILD}/logs/edition_pdf.log",
    shell:
        "{CLI} --log {log} edition pdf {params.release} --out {output.edition}"


rule edition_html:
    """The web edition: one self-contained HTML page."""
    input:
        unpack(edition_inputs),
    output:
        edition=f"{OUTPUT}.html",
    params:
        # A params change reruns the edition: switching draft/release rebuilds it.
        release=RELEASE,
    log:
        f"{BUILD}/logs/edition_html.log",
    shell:
        "{CLI} --log {log} edition html {params.release} --out {output.edition}"


rule edition_docx:
    """The editors' edition: Word, with real footnotes."""
    input:
        unpack(edition_inputs),
        reference=rules.reference_docx.output.reference,
    output:
        edition=f"{OUTPUT}.docx",
    params:
        # A params change reruns the edition: switching draft/release rebuilds it.
        release=RELEASE,
    log:
        f"{BUILD}/logs/edition_docx.log",
    shell:
        "{CLI} --log {log} edition docx {params.release} --out {output.edition}"

"""Running the pipeline: Snakemake's rules and the configuration's schema (rules/, schemas/), `perrypress build`
(runner.py) with the Quarto engine beside it (quarto.py), the last-good replacement of the readers' editions, and
the fixes to Snakemake's own process."""

# Entry point of the workflow: configuration and its schema, the rules, and the
# target that builds every edition. The rules, the schema, the pandoc filters and
# templates ship inside the perrypress package (perrypress/resources.py): this
# project uses the installed package's, like every paper of the series.
from snakemake.utils import min_version

from perrypress import resources
from perrypress.sources.config import check_workflow_config

min_version("9.0")


configfile: "config/config.yaml"


# The schema check (perrypress/workflow/schemas/config.schema.yaml), as every step of the
# build makes it: a configuration that already passed is remembered by digest, not checked again.
check_workflow_config(config)


include: str(resources.WORKFLOW_RULES)


rule all:
    input:
        editions=[built_edition(ext) for ext in config["editions"]],

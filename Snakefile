# Entry point of the workflow: configuration and its schema, the rules, and the
# target that builds every edition. The rules, the schema, the pandoc filters and
# templates ship inside the perrypress package (perrypress/resources.py): this
# project uses the installed package's, like every paper of the series.
from snakemake.utils import min_version, validate

from perrypress import resources

min_version("9.0")


configfile: "config/config.yaml"


validate(config, schema=str(resources.CONFIG_SCHEMA))


include: str(resources.WORKFLOW_RULES)


rule all:
    input:
        editions=[built_edition(ext) for ext in config["editions"]],

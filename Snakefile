# Entry point of the workflow: configuration and its schema, the rule files,
# and the target that builds every edition. Rules live in workflow/rules/;
# their logic lives in the tested package src/perrypress/.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, schema="workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/bibliography.smk"
include: "workflow/rules/styles.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/variables.smk"
include: "workflow/rules/editions.smk"
include: "workflow/rules/site.smk"


rule all:
    input:
        editions=[built_edition(ext) for ext in config["editions"]],

# Every rule of perrypress's workflow. A paper's Snakefile includes this one file
# (perrypress.resources.WORKFLOW_RULES), so a new rule file in a new version of
# the package reaches every paper without editing its Snakefile.
from perrypress.workflow import snakemake_process

# Snakemake and the Snakefile have loaded what they need: the garbage collector can leave it be.
snakemake_process.freeze_startup_objects()


include: "common.smk"
include: "data.smk"
include: "bibliography.smk"
include: "styles.smk"
include: "tables.smk"
include: "figures.smk"
include: "variables.smk"
include: "editions.smk"
include: "site.smk"

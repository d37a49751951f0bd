from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ML-04",
    title="Azure ML workspace flagged High Business Impact",
    severity="medium",
    resource_types=["Microsoft.MachineLearningServices/workspaces"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "The High Business Impact flag limits the diagnostic data Microsoft collects and encrypts the local "
        "scratch disks of compute, where training on ePHI leaves copies of the data."
    ),
    remediation=(
        "Set at creation only: az ml workspace create --name <ws> --resource-group <rg> --hbi-workspace "
        "(recreate and migrate existing workspaces)."
    ),
    # hbiWorkspace defaults to false.
    checks=[Check("properties.hbiWorkspace", equals(True))],
)

from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="ML-02",
    title="Azure ML workspace uses private link",
    severity="medium",
    resource_types=["Microsoft.MachineLearningServices/workspaces"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "An approved private endpoint keeps access to the workspace, its training data and models derived from "
        "ePHI on the private network."
    ),
    remediation=(
        "az network private-endpoint create --name <pe> --resource-group <rg> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <workspace-id> --group-id amlworkspace --connection-name <name>"
    ),
)
def check(workspace: Resource, _ctx: Context) -> Verdict:
    return approved_private_endpoint(workspace)

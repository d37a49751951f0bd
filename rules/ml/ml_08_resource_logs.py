from hipaa_scan.engine import Context, Resource, Verdict, diagnostic_logs, rule

# Azure ML workspace log categories that record reads and changes of data, models, runs and deployments.
CATEGORIES = (
    "AmlComputeClusterEvent",
    "AmlComputeJobEvent",
    "AmlRunStatusChangedEvent",
    "ComputeInstanceEvent",
    "DataLabelChangeEvent",
    "DataLabelReadEvent",
    "DataSetChangeEvent",
    "DataSetReadEvent",
    "DataStoreChangeEvent",
    "DataStoreReadEvent",
    "DeploymentEventACI",
    "DeploymentEventAKS",
    "DeploymentReadEvent",
    "EnvironmentChangeEvent",
    "EnvironmentReadEvent",
    "InferencingOperationACI",
    "InferencingOperationAKS",
    "ModelsActionEvent",
    "ModelsChangeEvent",
    "ModelsReadEvent",
    "PipelineChangeEvent",
    "PipelineReadEvent",
    "RunEvent",
    "RunReadEvent",
)


@rule(
    id="ML-08",
    title="Azure ML workspace resource logs enabled",
    severity="low",
    resource_types=["Microsoft.MachineLearningServices/workspaces"],
    reads=["Microsoft.Insights/diagnosticSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Workspace resource logs record who read or changed datasets, models and runs built from ePHI, so "
        "activity in the workspace can be examined."
    ),
    remediation=(
        "az monitor diagnostic-settings create --name aml-logs --resource <workspace-id> --workspace <law-id> "
        '--logs \'[{"categoryGroup":"allLogs","enabled":true}]\''
    ),
)
def check(workspace: Resource, ctx: Context) -> Verdict:
    return diagnostic_logs(workspace, ctx, categories=CATEGORIES)

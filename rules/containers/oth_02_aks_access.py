from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    combine_all,
    combine_any,
    equals,
    judge,
    lookup,
    non_empty,
    rule,
)

API_SERVER = "properties.apiServerAccessProfile"


@rule(
    id="OTH-02",
    title="AKS: Kubernetes RBAC + Entra integration, local accounts disabled, private API server",
    severity="medium",
    resource_types=["Microsoft.ContainerService/managedClusters"],
    citations=["164.312(a)(2)(i)", "164.312(d)", "164.312(a)(1)", "164.308(a)(4)(ii)(B)"],
    rationale=(
        "Workloads in the cluster process ePHI. Kubernetes RBAC with managed Entra integration gives every "
        "kubectl user a unique, MFA-capable identity and least-privilege roles; disabling local accounts "
        "removes the shared cluster-admin certificate; a private API server (or authorized IP ranges) keeps "
        "the control plane off the open Internet (Azure Policy ac4a19c2, in the HIPAA HITRUST initiative)."
    ),
    remediation=(
        "az aks update --name <cluster> --resource-group <rg> --enable-aad --aad-admin-group-object-ids <group> "
        "--disable-local-accounts --api-server-authorized-ip-ranges <cidr list> (or recreate with "
        "--enable-private-cluster); Kubernetes RBAC can only be enabled when the cluster is created."
    ),
)
def check(cluster: Resource, _ctx: Context) -> Verdict:
    # Entra integration, disabled local accounts and a restricted API server are all off unless configured.
    private = judge(lookup(cluster, f"{API_SERVER}.enablePrivateCluster"), equals(True), Status.FAIL)
    ranges = judge(lookup(cluster, f"{API_SERVER}.authorizedIPRanges"), non_empty(), Status.FAIL)
    return combine_all(
        [
            judge(lookup(cluster, "properties.enableRBAC"), equals(True)),
            judge(lookup(cluster, "properties.aadProfile.managed"), equals(True), Status.FAIL),
            judge(lookup(cluster, "properties.disableLocalAccounts"), equals(True), Status.FAIL),
            combine_any([private, ranges]),
        ]
    )

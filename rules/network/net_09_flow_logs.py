from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    combine_any,
    equals,
    judge,
    lookup,
    rule,
    unknown,
)

FLOW_LOGS = "Microsoft.Network/networkWatchers/flowLogs"
PATH = f"{FLOW_LOGS}[].properties.enabled"
EXPECTED = "an enabled flow log whose properties.targetResourceId is this VNet"


@rule(
    id="NET-09",
    title="Flow logs enabled for every VNet (or NSG)",
    severity="medium",
    resource_types=["Microsoft.Network/virtualNetworks"],
    reads=["Microsoft.Network/networkWatchers/flowLogs"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Flow logs record which addresses reached workloads in the VNet, the network-level audit trail needed "
        "to investigate access to systems holding ePHI."
    ),
    remediation=(
        "az network watcher flow-log create --location <region> --name <vnet>-flowlog --resource-group <rg> "
        "--vnet <vnet-id> --storage-account <storage-id> --workspace <workspace-id> --traffic-analytics true"
    ),
)
def check(vnet: Resource, ctx: Context) -> Verdict:
    # Flow logs live under the regional Network Watcher (NetworkWatcherRG), not under the VNet.
    logs = [log for log in ctx.of_type(FLOW_LOGS) if log.subscription_id == vnet.subscription_id]
    targets = [lookup(log, "properties.targetResourceId") for log in logs]
    mine = [log for log, t in zip(logs, targets, strict=True) if str(t.value).lower().rstrip("/") == vnet.key]
    if mine:
        verdict = combine_any([judge(lookup(log, "properties.enabled"), equals(True)) for log in mine])
        message = "flow log disabled" if verdict.status is Status.FAIL else verdict.message
        return Verdict(verdict.status, PATH, sorted(log.name for log in mine), EXPECTED, message)
    # A flow log whose target is not in the input might be this VNet's.
    if ctx.is_complete(FLOW_LOGS, vnet.subscription_id) and all(t.found for t in targets):
        return Verdict(Status.FAIL, PATH, [], EXPECTED, "no flow log targets this VNet")
    return unknown(PATH, "no flow log for this VNet in the input, and flow logs were not fully collected", EXPECTED)

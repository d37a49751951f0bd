from hipaa_scan.engine import Context, Resource, Status, Verdict, combine_any, equals, judge, lookup, rule, unknown

ACCOUNT_SETTING = "properties.allowBlobPublicAccess"


@rule(
    id="ST-04",
    title="Blob containers are private",
    severity="critical",
    resource_types=["Microsoft.Storage/storageAccounts/blobServices/containers"],
    reads=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(1)"],
    rationale="A container with anonymous read access exposes every blob of ePHI in it to anyone who has or guesses the URL.",
    remediation=(
        "az storage container set-permission --account-name <account> --name <container> --public-access off --auth-mode login "
        "(or disallow anonymous access on the whole account, ST-03)"
    ),
)
def check(container: Resource, ctx: Context) -> Verdict:
    own = judge(lookup(container, "properties.publicAccess"), equals("None"))
    if own.status is Status.PASS:
        return own
    # allowBlobPublicAccess=false on the account overrides every container's setting.
    at = container.key.find("/blobservices/")
    account = ctx.get(container.id[:at]) if at > 0 else None
    if account is None:
        blocked = unknown(f"account {ACCOUNT_SETTING}", "the storage account is not in the input", "== False")
    else:
        # Absent on older accounts means anonymous access is allowed (as ST-03).
        found = judge(lookup(account, ACCOUNT_SETTING), equals(False), Status.FAIL)
        note = "the account disallows anonymous access, overriding the container" if found.status is Status.PASS else ""
        blocked = Verdict(found.status, f"account {found.path}", found.observed, found.expected, note or found.message)
    return combine_any([own, blocked])

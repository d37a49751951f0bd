from hipaa_scan.engine import (
    SECURITY_SETTINGS,
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Verdict,
    rule,
    security_setting_enabled,
)


@rule(
    id="DEF-17",
    title="Defender for Endpoint integration (WDATP) enabled",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[SECURITY_SETTINGS],
    citations=["164.308(a)(5)(ii)(B)"],
    rationale=(
        "With the WDATP integration on, Defender for Cloud onboards servers to Microsoft Defender for Endpoint, "
        "the anti-malware and EDR protection that guards systems holding ePHI against malicious software."
    ),
    remediation=(
        "az rest --method put --url https://management.azure.com/subscriptions/<sub>/providers/Microsoft.Security/"
        'settings/WDATP?api-version=2022-05-01 --body \'{"kind":"DataExportSettings","properties":{"enabled":true}}\''
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return security_setting_enabled(subscription, ctx, "WDATP")

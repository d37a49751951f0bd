from hipaa_scan.engine import (
    Context,
    Expectation,
    Presence,
    Resource,
    Verdict,
    combine_all,
    judge,
    lookup,
    rule,
    setting_expectation,
    unknown,
    version_at_least,
)

CONFIG = "Microsoft.Web/sites/config"


def _judge_tls(source: Resource, prefix: str, label: str, tls: Expectation) -> Verdict:
    verdicts = [judge(lookup(source, f"{prefix}.minTlsVersion"), tls)]
    scm = lookup(source, f"{prefix}.scmMinTlsVersion")
    if scm.presence is not Presence.MISSING:
        verdicts.append(judge(scm, tls))
    verdict = combine_all(verdicts)
    return Verdict(verdict.status, f"{label}: {verdict.path}", verdict.observed, verdict.expected, verdict.message)


@rule(
    id="APP-02",
    title="App Service minimum TLS 1.2+ (site and SCM; or the policy's min_tls)",
    severity="high",
    resource_types=["Microsoft.Web/sites"],
    reads=["Microsoft.Web/sites/config"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale=(
        "TLS 1.0 and 1.1 have known weaknesses; accepting them on the app or its SCM (deployment) endpoint "
        "weakens the encryption of ePHI in transit."
    ),
    remediation="az webapp config set --name <app> --resource-group <rg> --min-tls-version 1.2 --scm-min-tls-version 1.2",
)
def check(site: Resource, ctx: Context) -> Verdict:
    # The config/web child is authoritative; siteConfig in a site GET or ARG row is often partial.
    tls = setting_expectation("min_tls_version", version_at_least, ctx.settings)
    related = ctx.children(site, CONFIG)
    web = [c for c in related.items if c.id.lower().rstrip("/").endswith("/config/web")]
    if web:
        return _judge_tls(web[0], "properties", f"{CONFIG}/web", tls)
    if lookup(site, "properties.siteConfig.minTlsVersion").presence is not Presence.MISSING:
        return _judge_tls(site, "properties.siteConfig", "site", tls)
    expected = f"minTlsVersion {tls.description} (and scmMinTlsVersion when present)"
    return unknown(f"{CONFIG}/web: properties.minTlsVersion", "web config was not in the input", expected)

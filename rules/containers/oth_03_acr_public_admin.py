from hipaa_scan.engine import Check, Status, equals, property_rule

RULE = property_rule(
    id="OTH-03",
    title="Container Registry: public network disabled, admin user disabled",
    severity="medium",
    resource_types=["Microsoft.ContainerRegistry/registries"],
    citations=["164.312(a)(1)", "164.312(a)(2)(i)"],
    rationale=(
        "Images of workloads that process ePHI often embed configuration and connection details. The admin user "
        "is one shared username and password with push and pull rights, anonymous pull lets anyone download "
        "images, and public network access exposes the registry to the Internet; with all three off, every pull "
        "and push is made by a unique Entra identity over a private endpoint."
    ),
    remediation=(
        "az acr update --name <registry> --admin-enabled false --anonymous-pull-enabled false "
        "--public-network-enabled false (Premium SKU, after creating a private endpoint for the registry)"
    ),
    checks=[
        # publicNetworkAccess defaults to Enabled.
        Check("properties.publicNetworkAccess", equals("Disabled"), when_missing=Status.FAIL),
        # ARM returns both flags on every registry; absent stays unknown.
        Check("properties.adminUserEnabled", equals(False)),
        Check("properties.anonymousPullEnabled", equals(False)),
    ],
)

from hipaa_scan.engine import Context, Resource, Verdict, nsg_internet_exposure, rule

# SQL Server, MySQL, PostgreSQL, Oracle, MongoDB, WinRM (HTTP/HTTPS), SMB, Telnet, FTP.
PORTS = (1433, 3306, 5432, 1521, 27017, 5985, 5986, 445, 23, 21)


@rule(
    id="NET-04",
    title="NSG: no database/management ports from Internet (1433,3306,5432,1521,27017,5985,5986,445,23,21)",
    severity="high",
    resource_types=["Microsoft.Network/networkSecurityGroups"],
    reads=["Microsoft.Network/networkSecurityGroups/securityRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "Database, WinRM, SMB, Telnet and FTP ports reachable from the Internet let attackers attempt direct "
        "access to the data stores and hosts that hold ePHI, bypassing application-level controls."
    ),
    remediation=(
        "az network nsg rule update --nsg-name <nsg> --resource-group <rg> --name <rule> --access Deny "
        "(or restrict --source-address-prefixes to trusted ranges and use private endpoints for databases)."
    ),
)
def check(nsg: Resource, ctx: Context) -> Verdict:
    return nsg_internet_exposure(nsg, ctx, ports=PORTS)

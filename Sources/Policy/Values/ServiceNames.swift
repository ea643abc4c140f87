/// Service names a port can be written as (`tcp dport ssh`, `th dport { domain, ntp }`), the way
/// `nft` reads them: the IANA names of the well-known services. The table is built in, so a
/// policy means the same on every machine whatever its `/etc/services` says.
enum ServiceNames {
    /// Name and port, by port; a port's first name is the usual one, later ones are aliases.
    static let table: [(String, UInt128)] = [
        ("ftp-data", 20), ("ftp", 21), ("ssh", 22), ("telnet", 23), ("smtp", 25), ("time", 37), ("whois", 43),
        ("tacacs", 49), ("domain", 53), ("bootps", 67), ("bootpc", 68), ("tftp", 69), ("gopher", 70),
        ("finger", 79), ("http", 80), ("www", 80), ("kerberos", 88), ("pop3", 110), ("sunrpc", 111),
        ("auth", 113), ("nntp", 119), ("ntp", 123), ("epmap", 135), ("netbios-ns", 137), ("netbios-dgm", 138),
        ("netbios-ssn", 139), ("imap", 143), ("imap2", 143), ("snmp", 161), ("snmp-trap", 162), ("bgp", 179),
        ("irc", 194), ("ldap", 389), ("https", 443), ("microsoft-ds", 445), ("kpasswd", 464),
        ("submissions", 465), ("smtps", 465), ("isakmp", 500), ("syslog", 514), ("printer", 515),
        ("dhcpv6-client", 546), ("dhcpv6-server", 547), ("submission", 587), ("ipp", 631), ("ldaps", 636),
        ("domain-s", 853), ("rsync", 873), ("ftps-data", 989), ("ftps", 990), ("telnets", 992), ("imaps", 993),
        ("pop3s", 995), ("openvpn", 1194), ("ms-sql-s", 1433), ("l2tp", 1701), ("pptp", 1723), ("radius", 1812),
        ("radius-acct", 1813), ("nfs", 2049), ("mysql", 3306), ("ms-wbt-server", 3389), ("rdp", 3389),
        ("sip", 5060), ("sips", 5061), ("mdns", 5353), ("postgresql", 5432), ("amqp", 5672), ("x11", 6000),
        ("redis", 6379), ("http-alt", 8080), ("git", 9418),
    ]
}

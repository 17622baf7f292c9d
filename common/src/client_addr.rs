//! The address of the client a request comes from, the same rule for both binaries: the TCP
//! peer, or the `X-Real-IP` header when (and only when) the peer is one of the configured
//! trusted proxies (`TRUSTED_PROXIES`). Anyone else's header is ignored, otherwise a client
//! could choose the address its failures are counted against.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header the reverse proxy (nginx: `proxy_set_header X-Real-IP $remote_addr`) overwrites
/// with the address it was reached from.
pub const REAL_IP: &str = "x-real-ip";

/// `TRUSTED_PROXIES`, the group both binaries flatten into their command line.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ProxyArgs {
    /// Reverse proxies whose `X-Real-IP` names the client: IP addresses or CIDR networks,
    /// comma-separated. Default none: the TCP peer is the client.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,
}

/// The proxies whose `X-Real-IP` is believed: addresses or networks (`10.0.0.0/8`), comma
/// separated, none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("TRUSTED_PROXIES: not an IP address or network: {item:?}"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&list.join(","))
    }
}

/// `::ffff:a.b.c.d` (an IPv4 client of a dual-stack socket) as `a.b.c.d`, so that one client
/// has one address whichever socket it came through.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of a request that came from `peer`: `None` only when the server was not
    /// given the peer (a router driven in-process by tests). A trusted proxy's request without
    /// a readable `X-Real-IP` is the proxy's own.
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = canonical(peer?);
        if !self.contains(peer) {
            return Some(peer);
        }
        let forwarded = headers
            .get(REAL_IP)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        Some(forwarded.map_or(peer, canonical))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(real_ip: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(REAL_IP, real_ip.parse().unwrap());
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let trusted: TrustedProxies = " 10.0.0.0/8, 192.0.2.7 ,fd00::/8".parse().unwrap();
        let forwarded = headers("203.0.113.5");
        for proxy in ["10.1.2.3", "192.0.2.7", "::ffff:10.0.0.1", "fd00::1"] {
            assert_eq!(
                trusted.client_address(Some(ip(proxy)), &forwarded),
                Some(ip("203.0.113.5")),
                "{proxy}"
            );
        }
        assert_eq!(
            trusted.client_address(Some(ip("198.51.100.1")), &forwarded),
            Some(ip("198.51.100.1")),
            "anyone else's header is ignored"
        );
        assert_eq!(
            trusted.client_address(Some(ip("192.0.2.8")), &forwarded),
            Some(ip("192.0.2.8")),
            "a single address trusts that address only"
        );
    }

    #[test]
    fn a_proxy_without_a_readable_header_is_the_client() {
        let trusted: TrustedProxies = "127.0.0.1".parse().unwrap();
        let proxy = Some(ip("127.0.0.1"));
        assert_eq!(
            trusted.client_address(proxy, &headers("junk, 1.2.3.4")),
            proxy
        );
        assert_eq!(trusted.client_address(proxy, &HeaderMap::new()), proxy);
        assert_eq!(
            trusted.client_address(proxy, &headers("::ffff:203.0.113.9")),
            Some(ip("203.0.113.9")),
            "a mapped address is the IPv4 client"
        );
        assert_eq!(trusted.client_address(None, &headers("1.2.3.4")), None);
    }

    #[test]
    fn none_by_default_and_bad_entries_are_refused() {
        let none = TrustedProxies::default();
        assert!(none.is_empty());
        assert_eq!("".parse::<TrustedProxies>().unwrap(), none);
        assert_eq!(
            none.client_address(Some(ip("127.0.0.1")), &headers("203.0.113.5")),
            Some(ip("127.0.0.1"))
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
        let list: TrustedProxies = "10.1.2.3/8, ::1".parse().unwrap();
        assert_eq!(list.to_string(), "10.0.0.0/8,::1/128");
    }
}

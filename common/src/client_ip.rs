//! The client's address: the TCP peer, or the `X-Real-IP` set by the reverse proxy when the
//! peer is one of the configured proxies. A header from anyone else is ignored: otherwise any
//! client could pick the address its sign-in failures are counted against.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header nginx overwrites with the address it was reached from.
pub const REAL_IP: &str = "x-real-ip";

/// The proxies whose `X-Real-IP` is believed (`TRUSTED_PROXIES`: addresses or networks, comma
/// separated; none by default).
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
                    .map_err(|_| format!("not an IP address or network: {item:?}"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

/// `::ffff:a.b.c.d` (an IPv4 client of a dual-stack socket) as `a.b.c.d`.
fn canonical(address: IpAddr) -> IpAddr {
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

    /// The client of a request that came from `peer` (unknown when the server was not given the
    /// peer, as in tests that call the router directly).
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
            trusted.client_address(Some(ip("10.1.2.3")), &headers("junk, 1.2.3.4")),
            Some(ip("10.1.2.3")),
            "an unreadable header leaves the proxy's address"
        );
        assert_eq!(
            trusted.client_address(Some(ip("10.1.2.3")), &HeaderMap::new()),
            Some(ip("10.1.2.3"))
        );
        assert_eq!(trusted.client_address(None, &forwarded), None);
    }

    #[test]
    fn none_by_default_and_bad_entries_are_refused() {
        let none: TrustedProxies = "".parse().unwrap();
        assert!(none.is_empty());
        assert_eq!(
            none.client_address(Some(ip("127.0.0.1")), &headers("203.0.113.5")),
            Some(ip("127.0.0.1"))
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
    }
}

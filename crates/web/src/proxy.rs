//! Which peers are our own reverse proxies, and so whose `X-Forwarded-For` is believed.
//!
//! A standard proxy (nginx's `$proxy_add_x_forwarded_for`) *appends* the address it saw to
//! whatever the client sent, so only the right-hand end of the header was written by
//! machines we trust; the left-most entry is whatever the client chose. The client is
//! therefore the right-most address that is not one of our proxies.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// The proxies (addresses or CIDR blocks) whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} 不是 IP 地址或网段（如 10.0.0.0/8）/ not an IP address or CIDR block such as 10.0.0.0/8")]
pub struct BadProxy(pub String);

impl Default for TrustedProxies {
    /// A proxy on this machine only.
    fn default() -> Self {
        Self::loopback()
    }
}

impl TrustedProxies {
    /// `127.0.0.0/8` and `::1`.
    pub fn loopback() -> Self {
        Self(vec![
            IpNet::from_str("127.0.0.0/8").expect("a valid block"),
            IpNet::from(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
        ])
    }

    /// No proxy at all: the peer is always the client.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// Addresses (`10.0.0.5`, `::1`) and blocks (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> Result<Self, BadProxy> {
        let mut nets = Vec::new();
        for entry in entries {
            let text = entry.as_ref().trim();
            let net = IpNet::from_str(text)
                .map(|n| n.trunc())
                .or_else(|_| IpAddr::from_str(text).map(|a| IpNet::from(a.to_canonical())))
                .map_err(|_| BadProxy(text.to_owned()))?;
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer itself unless it is a trusted proxy; then the
    /// `X-Forwarded-For` entries (every header, in order) walked from the right, skipping
    /// trusted proxies, to the first address that is not one. An entry that is not an
    /// address ends the walk at the proxy that wrote it.
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl IntoIterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let entries: Vec<&str> = forwarded.into_iter().flat_map(|h| h.split(',')).collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            let Some(ip) = parse_entry(entry) else { return client };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    if let Ok(ip) = IpAddr::from_str(e) {
        return Some(ip.to_canonical());
    }
    std::net::SocketAddr::from_str(e).ok().map(|s| s.ip().to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let local = TrustedProxies::loopback();
        // nginx in front, on this machine: the client wrote "forged", nginx appended the real one.
        assert_eq!(local.client(ip("127.0.0.1"), ["203.0.113.9, 198.51.100.20"]), ip("198.51.100.20"));
        assert_eq!(local.client(ip("::1"), ["198.51.100.20"]), ip("198.51.100.20"));
        assert_eq!(local.client(ip("::ffff:127.0.0.1"), ["198.51.100.20"]), ip("198.51.100.20"));
        // From anyone else the header is ignored.
        assert_eq!(local.client(ip("192.0.2.1"), ["203.0.113.9"]), ip("192.0.2.1"));
        // No header: the proxy itself.
        assert_eq!(local.client(ip("127.0.0.1"), []), ip("127.0.0.1"));

        let chain = TrustedProxies::parse(["10.0.0.0/8", "127.0.0.1"]).unwrap();
        let h = ["203.0.113.9, 198.51.100.20", "10.1.2.3"];
        assert_eq!(chain.client(ip("127.0.0.1"), h), ip("198.51.100.20"), "both our proxies are skipped");
        assert_eq!(chain.client(ip("127.0.0.1"), ["garbage, 10.1.2.3"]), ip("10.1.2.3"));
        assert_eq!(chain.client(ip("127.0.0.1"), ["198.51.100.20:4711"]), ip("198.51.100.20"));
        assert_eq!(chain.client(ip("127.0.0.1"), ["10.0.0.9, 10.0.0.8"]), ip("10.0.0.9"));
        assert_eq!(TrustedProxies::none().client(ip("127.0.0.1"), ["198.51.100.20"]), ip("127.0.0.1"));
    }

    #[test]
    fn proxies_are_addresses_or_blocks() {
        let p = TrustedProxies::parse(["10.0.0.1/8", "fd00::/8", " 192.0.2.7 "]).unwrap();
        assert!(p.contains(ip("10.200.0.1")) && p.contains(ip("fd12::1")) && p.contains(ip("192.0.2.7")));
        assert!(!p.contains(ip("192.0.2.8")) && !p.contains(ip("127.0.0.1")));
        assert_eq!(TrustedProxies::parse(["localhost"]), Err(BadProxy("localhost".into())));
        assert!(TrustedProxies::parse(["10.0.0.0/33"]).is_err());
    }
}

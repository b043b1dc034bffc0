//! The client address behind reverse proxies. Each proxy appends the address it received the
//! request from to `X-Forwarded-For`, so only the right-hand end of the list is written by
//! proxies we run; anything to the left may be typed by the client. The client is therefore the
//! right-most hop that is not one of our proxies — and the headers count only when the request
//! itself came from one of them.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The configured trusted proxies: addresses or CIDR blocks (`10.0.0.0/8`, `127.0.0.1`,
/// `fd00::/8`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses the list; the error names the entry that is not an address or block.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, String> {
        let mut blocks = Vec::new();
        for entry in entries {
            let entry = entry.as_ref().trim();
            let bad = || format!("trusted_proxies 中“{entry}”不是 IP 地址或网段（如 10.0.0.0/8）");
            let (addr, len) = match entry.split_once('/') {
                Some((a, l)) => (a, Some(l.parse::<u8>().map_err(|_| bad())?)),
                None => (entry, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| bad())?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len = len.unwrap_or(max);
            if len > max {
                return Err(bad());
            }
            blocks.push((addr, len));
        }
        Ok(TrustedProxies(blocks))
    }

    /// True when no proxy is trusted: forwarded headers are ignored.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of ours.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0
            .iter()
            .any(|&(block, len)| in_block(ip, canonical(block), len))
    }

    /// The client of a request that arrived from `peer`: the right-most `X-Forwarded-For` hop
    /// not in the list when `peer` is a trusted proxy (the left-most hop when every hop is
    /// ours), otherwise `peer` itself.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> String {
        if !self.contains(peer) {
            return peer.to_string();
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) if self.contains(ip) => continue,
                Some(ip) => return ip.to_string(),
                // Not an address: not one of ours, so it is what the client told the first
                // proxy. Kept short, since it is stored with the attempt.
                None => return hop.chars().take(64).collect(),
            }
        }
        hops.first()
            .and_then(|h| parse_hop(h))
            .unwrap_or(peer)
            .to_string()
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5678`, `[::1]:5678`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    hop.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_block(ip: IpAddr, block: IpAddr, len: u8) -> bool {
    match (ip, block) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn the_client_is_the_right_most_hop_that_is_not_ours() {
        let t = TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1"]).unwrap();
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        // The client wrote "6.6.6.6" itself; the first proxy appended the real address.
        assert_eq!(
            t.client(proxy, &xff("6.6.6.6, 203.0.113.7, 10.0.0.2")),
            "203.0.113.7"
        );
        assert_eq!(t.client(proxy, &xff("203.0.113.7:4711")), "203.0.113.7");
        // Every hop ours: the left-most.
        assert_eq!(t.client(proxy, &xff("10.9.9.9, 127.0.0.1")), "10.9.9.9");
        assert_eq!(t.client(proxy, &HeaderMap::new()), "10.1.2.3");
        // Headers from a peer that is not a proxy of ours are the client's own words.
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(t.client(stranger, &xff("10.0.0.1")), "198.51.100.1");
        // A dual-stack socket reports IPv4 peers mapped into IPv6.
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert_eq!(t.client(mapped, &xff("192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn blocks_parse_or_name_the_bad_entry() {
        let t = TrustedProxies::parse(&["fd00::/8", "0.0.0.0/0"]).unwrap();
        assert!(t.contains("fd12::1".parse().unwrap()));
        assert!(t.contains("8.8.8.8".parse().unwrap()));
        assert!(
            TrustedProxies::parse(&["10.0.0.0/33"])
                .unwrap_err()
                .contains("10.0.0.0/33")
        );
        assert!(TrustedProxies::parse(&["proxy.local"]).is_err());
    }
}

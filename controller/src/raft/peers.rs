//! `controllerDLegerPeers`: `n0-127.0.0.1:9877;n1-127.0.0.1:9878`.
//!
//! The Raft node id of a peer is its position in this list, so every node
//! must be configured with the same list in the same order (as DLedger
//! requires anyway).

/// One `id-address` pair, e.g. (`n0`, `127.0.0.1:9877`).
pub type Peer = (String, String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeersError {
    #[error("controllerDLegerPeers is empty")]
    Empty,
    #[error("peer `{0}` is not `id-ip:port`")]
    Malformed(String),
    #[error("peer id `{0}` appears twice")]
    DuplicateId(String),
}

/// Parses `n0-ip:port;n1-ip:port`. Blank items (a trailing `;`) and
/// whitespace around items are tolerated; the id ends at the first `-`.
pub fn parse_peers(text: &str) -> Result<Vec<Peer>, PeersError> {
    let mut peers: Vec<Peer> = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (id, addr) = item
            .split_once('-')
            .map(|(id, addr)| (id.trim(), addr.trim()))
            .filter(|(id, addr)| !id.is_empty() && is_host_port(addr))
            .ok_or_else(|| PeersError::Malformed(item.to_owned()))?;
        if peers.iter().any(|(known, _)| known == id) {
            return Err(PeersError::DuplicateId(id.to_owned()));
        }
        peers.push((id.to_owned(), addr.to_owned()));
    }
    if peers.is_empty() {
        return Err(PeersError::Empty);
    }
    Ok(peers)
}

fn is_host_port(addr: &str) -> bool {
    addr.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

/// GET_METADATA_INFO's `peers`: `n0:ip:port;n1:ip:port;` (spec §4.5).
pub fn format_peers(peers: &[Peer]) -> String {
    peers.iter().map(|(id, addr)| format!("{id}:{addr};")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> Vec<Peer> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn parses_the_dledger_format() {
        let peers = parse_peers("n0-127.0.0.1:9877;n1-127.0.0.1:9878;n2-127.0.0.1:9879").unwrap();
        assert_eq!(
            peers,
            owned(&[("n0", "127.0.0.1:9877"), ("n1", "127.0.0.1:9878"), ("n2", "127.0.0.1:9879")])
        );
    }

    #[test]
    fn tolerates_blanks_and_a_trailing_separator() {
        let peers = parse_peers(" n0-10.0.0.1:9877 ; ;n1-host.example:1;").unwrap();
        assert_eq!(peers, owned(&[("n0", "10.0.0.1:9877"), ("n1", "host.example:1")]));
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(parse_peers(""), Err(PeersError::Empty));
        assert_eq!(parse_peers(" ; "), Err(PeersError::Empty));
        for bad in
            ["n0", "n0-", "-1.2.3.4:5", "n0-1.2.3.4", "n0-1.2.3.4:port", "n0-:9877", "n0-1.2.3.4:70000"]
        {
            assert_eq!(parse_peers(bad), Err(PeersError::Malformed(bad.to_owned())), "{bad}");
        }
        assert_eq!(parse_peers("n0-a:1;n0-b:2"), Err(PeersError::DuplicateId("n0".into())));
    }

    #[test]
    fn formats_peers_for_metadata() {
        let peers = owned(&[("n0", "127.0.0.1:9877"), ("n1", "127.0.0.1:9878")]);
        assert_eq!(format_peers(&peers), "n0:127.0.0.1:9877;n1:127.0.0.1:9878;");
    }
}

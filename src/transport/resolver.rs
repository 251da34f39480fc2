//! The built-in transport's resolver: IP literals answered at once, names cached briefly.
//!
//! ureq's own resolver, once any timeout is set, resolves on a new thread for every request
//! (IP literals included), which costs tens of microseconds per call. This one answers an IP
//! literal directly and keeps a resolved name for [`NAME_TTL`], so a client making many
//! calls to one data centre resolves its name once a minute, not once a call.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a resolved name is kept.
pub(crate) const NAME_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    inner: DefaultResolver,
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

/// The port of `uri`: its own, or its scheme's.
fn port(uri: &Uri) -> Option<u16> {
    uri.port_u16().or_else(|| match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(host), Some(port)) = (uri.host(), port(uri)) else {
            return self.inner.resolve(uri, config, timeout);
        };
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        if let Some((at, addrs)) = self
            .names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            if now.duration_since(*at) < NAME_TTL {
                return Ok(addrs.clone());
            }
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(r: &CachingResolver, uri: &str) -> Vec<SocketAddr> {
        let uri: Uri = uri.parse().unwrap();
        let config = Config::default();
        // With a time limit, as the client always sets one.
        let timeout = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::Exact(Duration::from_secs(5)),
            ..NextTimeout::default()
        };
        let addrs = r.resolve(&uri, &config, timeout).unwrap();
        (0..addrs.len()).map(|i| addrs[i]).collect()
    }

    #[test]
    fn ip_literals_are_answered_directly() {
        let r = CachingResolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8080/api/2"),
            ["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/api/2"),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert!(
            r.names.lock().unwrap().is_empty(),
            "literals are not cached"
        );
    }

    #[test]
    fn names_are_resolved_once_and_cached() {
        let r = CachingResolver::default();
        let first = resolve(&r, "http://localhost:8080/x");
        assert!(
            first
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 8080),
            "{first:?}"
        );
        assert_eq!(r.names.lock().unwrap().len(), 1);
        assert_eq!(resolve(&r, "http://localhost:8080/y"), first);
    }
}

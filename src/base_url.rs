//! The base URL: checked and normalized before anything is sent, parsed with the `http`
//! crate's `Uri` (already in the tree through ureq), with the few checks it leaves to its
//! users: the scheme, no user name, a port that is a number, an IPv6 literal that is one.

use std::net::{IpAddr, Ipv6Addr};

use crate::error::{Error, InputKind};

/// The path under which the vendor serves the API.
pub(crate) const API_PATH: &str = "/api/2";

/// Checks and normalizes a base URL: `http(s)://host[:port][/path]`, nothing after the
/// path. The scheme and host are lowercased and trailing slashes dropped.
pub(crate) fn parse_base_url(url: &str, allow_plain_http: bool) -> Result<String, Error> {
    let shown = || {
        // A URL with user info may carry a password: never echo it.
        if url.contains('@') {
            "(not shown)".to_owned()
        } else {
            format!("{:?}", url.chars().take(200).collect::<String>())
        }
    };
    let bad = |why: &str| {
        Error::invalid(
            InputKind::BaseUrl,
            format!(
                "invalid base URL {}: {why}; expected e.g. https://eu2-cloud.acronis.com/api/2",
                shown()
            ),
        )
    };
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("it may hold only visible ASCII characters, no spaces"));
    }
    // `Uri` drops a fragment without a word: look for one first.
    if url.contains(['?', '#']) {
        return Err(bad("it must not have a query or fragment"));
    }
    let lower = url.to_ascii_lowercase();
    let scheme = if lower.starts_with("https://") {
        "https"
    } else if lower.starts_with("http://") {
        "http"
    } else {
        return Err(bad("it must start with https://"));
    };
    let rest = &url[scheme.len() + 3..];
    if rest.is_empty() || rest.starts_with(['/', ':']) {
        return Err(bad("it has no host"));
    }
    let uri: http::Uri = url.parse().map_err(|_| bad("it is not a URL"))?;
    let authority = uri.authority().ok_or_else(|| bad("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("it must not contain a user name or password"));
    }
    check_host_and_port(authority.host(), authority.as_str(), authority.port_u16()).map_err(bad)?;
    let path = uri.path().trim_end_matches('/');
    let normalized = format!(
        "{scheme}://{}{path}",
        authority.as_str().to_ascii_lowercase()
    );
    if scheme == "http" && !allow_plain_http && !is_loopback(&normalized) {
        return Err(Error::invalid(
            InputKind::PlainHttp,
            format!(
                "the base URL {} is plain http:// to a host that is not this machine: the token \
                 would travel unencrypted; use https://, or (on a network you trust end to end) \
                 ClientBuilder::danger_accept_plain_http(true)",
                shown()
            ),
        ));
    }
    Ok(normalized)
}

/// What `Uri` leaves to its users: a host, an IPv6 literal that is one, and a port (when
/// there is a `:` after the host) from 1 to 65535.
fn check_host_and_port(host: &str, authority: &str, port: Option<u16>) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("it has no host");
    }
    if let Some(v6) = host.strip_prefix('[') {
        v6.strip_suffix(']')
            .and_then(|a| a.parse::<Ipv6Addr>().ok())
            .ok_or("the address in brackets is not an IPv6 address")?;
    }
    let after_host = authority.get(host.len()..).unwrap_or_default();
    if !after_host.is_empty() && port.is_none_or(|p| p == 0) {
        return Err("its port must be a number from 1 to 65535");
    }
    Ok(())
}

/// Whether a normalized base URL names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
pub(crate) fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a normalized base URL's path is the vendor's `/api/2`.
pub(crate) fn has_api_path(base_url: &str) -> bool {
    base_url.ends_with(API_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        let ok = |u: &str| parse_base_url(u, false).unwrap();
        assert_eq!(
            ok("https://eu2-cloud.acronis.com/api/2"),
            "https://eu2-cloud.acronis.com/api/2"
        );
        assert_eq!(
            ok("https://eu2-cloud.acronis.com/api/2/"),
            "https://eu2-cloud.acronis.com/api/2"
        );
        assert_eq!(
            ok("HTTPS://EU2-Cloud.Acronis.com/api/2//"),
            "https://eu2-cloud.acronis.com/api/2"
        );
        assert_eq!(
            ok("http://127.0.0.1:8080/api/2"),
            "http://127.0.0.1:8080/api/2"
        );
        assert_eq!(ok("http://[::1]:8080/api/2"), "http://[::1]:8080/api/2");
        // Any path, or none: an OpenAPI mock or a gateway may serve the API at the root.
        assert_eq!(ok("http://127.0.0.1:4010"), "http://127.0.0.1:4010");
        assert_eq!(ok("http://127.0.0.1:4010/"), "http://127.0.0.1:4010");
        assert_eq!(
            ok("https://gw.example.com/acronis/v2/"),
            "https://gw.example.com/acronis/v2"
        );
        for (bad, why) in [
            ("eu2-cloud.acronis.com/api/2", "it must start with https://"),
            (
                "ftp://eu2-cloud.acronis.com/api/2",
                "it must start with https://",
            ),
            ("https:///api/2", "it has no host"),
            ("https://:443/api/2", "it has no host"),
            ("https://h:abc/api/2", "port must be a number"),
            ("https://h:/api/2", "port must be a number"),
            ("https://h:0/api/2", "port must be a number"),
            ("https://h:65536/api/2", "port must be a number"),
            ("https://[::1/api/2", "not a URL"),
            ("https://[::g]/api/2", "not an IPv6 address"),
            ("https://[::1]x/api/2", "port must be a number"),
            ("https://h%41/api/2", "not a URL"),
            (
                "https://eu2-cloud.acronis.com/api/2?x=1",
                "not have a query or fragment",
            ),
            (
                "https://eu2-cloud.acronis.com/api/2#top",
                "not have a query or fragment",
            ),
            ("https://eu2-cloud.acronis.com/api 2", "visible ASCII"),
            ("https://eu2-cloud.acronis.com/api/2\n", "visible ASCII"),
            (
                "https://user:pw@eu2-cloud.acronis.com/api/2",
                "user name or password",
            ),
        ] {
            match parse_base_url(bad, false) {
                Err(Error::InvalidInput {
                    kind: InputKind::BaseUrl,
                    message,
                }) => {
                    assert!(message.contains(why), "{bad}: {message}");
                    assert!(message.starts_with("invalid base URL"), "{message}");
                    assert!(!message.contains("pw@"), "{message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn plain_http_to_other_hosts_needs_the_opt_in() {
        for url in [
            "http://eu2-cloud.acronis.com/api/2",
            "http://10.1.2.3/api/2",
        ] {
            let Err(Error::InvalidInput {
                kind: InputKind::PlainHttp,
                message,
            }) = parse_base_url(url, false)
            else {
                panic!("{url} accepted")
            };
            assert!(message.contains("unencrypted"), "{message}");
        }
        assert_eq!(
            parse_base_url("http://reports.internal/api/2", true).unwrap(),
            "http://reports.internal/api/2"
        );
        assert!(parse_base_url("http://localhost:8080/api/2", false).is_ok());
    }

    #[test]
    fn loopback_hosts_are_recognized() {
        for yes in [
            "http://127.0.0.1:8080/api/2",
            "http://127.1.2.3/api/2",
            "http://localhost:1/api/2",
            "http://[::1]:80/api/2",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "https://eu2-cloud.acronis.com/api/2",
            "http://10.0.0.1/api/2",
            "http://localhost.example.com/api/2",
            "http://[::2]/api/2",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }
}

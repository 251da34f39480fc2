//! The base URL: checked and normalized before anything is sent.

use crate::error::{Error, InputKind};

/// Checks and normalizes a base URL: scheme and host present, a path, nothing after it.
pub(crate) fn parse_base_url(url: &str, allow_plain_http: bool) -> Result<String, Error> {
    let bad = |why: &str| {
        // A URL with user info may carry a password: never echo it.
        let shown = if url.contains('@') {
            "(not shown)".to_owned()
        } else {
            format!("{url:?}")
        };
        Error::invalid(
            InputKind::BaseUrl,
            format!(
                "invalid base URL {shown}: {why}; expected e.g. https://eu2-cloud.acronis.com/api/2"
            ),
        )
    };
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("it may hold only visible ASCII characters, no spaces"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(bad("it must start with https://"));
    };
    if url.contains(['?', '#']) {
        return Err(bad("it must not have a query or fragment"));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err(bad("it must not contain a user name or password"));
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err(bad("it has no host"));
    }
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Err(bad("it has no path; the API lives under /api/2"));
    }
    let scheme_len = url.len() - rest.len();
    let normalized = format!(
        "{}{}{}",
        &lower[..scheme_len],
        authority.to_ascii_lowercase(),
        path
    );
    if scheme_len == 7 && !allow_plain_http && !is_loopback(&normalized) {
        return Err(bad(
            "plain http:// would send the token unencrypted; use https://, or \
             ClientBuilder::danger_accept_plain_http(true) on a network you trust",
        ));
    }
    Ok(normalized)
}
/// Whether a normalized base URL names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
pub(crate) fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
        for (bad, why) in [
            ("eu2-cloud.acronis.com/api/2", "it must start with https://"),
            (
                "ftp://eu2-cloud.acronis.com/api/2",
                "it must start with https://",
            ),
            ("https://eu2-cloud.acronis.com", "it has no path"),
            ("https://eu2-cloud.acronis.com/", "it has no path"),
            ("https:///api/2", "it has no host"),
            ("https://:443/api/2", "it has no host"),
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
            (
                "http://eu2-cloud.acronis.com/api/2",
                "plain http:// would send the token",
            ),
            (
                "http://10.1.2.3/api/2",
                "plain http:// would send the token",
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

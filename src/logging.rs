//! Logging through the `log` facade, with the `log` feature; without it the macros expand to
//! nothing (their arguments are not evaluated). Nothing logged ever holds a token or secret:
//! messages name methods, paths, statuses and timings only.

#[cfg(feature = "log")]
macro_rules! debug {
    ($($arg:tt)+) => { ::log::debug!(target: "acronis_reports", $($arg)+) };
}

#[cfg(not(feature = "log"))]
macro_rules! debug {
    ($($arg:tt)+) => {{
        if false {
            let _ = format_args!($($arg)+);
        }
    }};
}

#[cfg(feature = "log")]
macro_rules! warning {
    ($($arg:tt)+) => { ::log::warn!(target: "acronis_reports", $($arg)+) };
}

#[cfg(not(feature = "log"))]
macro_rules! warning {
    ($($arg:tt)+) => {{
        if false {
            let _ = format_args!($($arg)+);
        }
    }};
}

pub(crate) use {debug, warning};

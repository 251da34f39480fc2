//! [`Timestamp`]: an RFC 3339 date and time whose offset may be missing, as the API writes
//! `created_at`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::date::Date;

/// A date and time as the API writes them: RFC 3339 (`2026-11-26T10:00:00Z`,
/// `2026-11-26T10:00:00.123+02:00`), where the offset may be missing
/// (`2026-11-26T10:00:00`).
///
/// A missing offset is kept as `None` and read as UTC for [`unix_seconds`](Self::unix_seconds)
/// and ordering. It prints back in the form it was read (fraction digits normalized).
///
/// ```
/// use acronis_reports::Timestamp;
///
/// let a: Timestamp = "2026-11-26T10:00:00+02:00".parse()?;
/// let b: Timestamp = "2026-11-26T09:00:00".parse()?;
/// assert_eq!(a.offset_minutes(), Some(120));
/// assert_eq!(b.offset_minutes(), None);
/// assert!(a < b); // 08:00 UTC before 09:00 (UTC assumed)
/// # Ok::<(), acronis_reports::ParseDateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    offset_minutes: Option<i16>,
}

impl Timestamp {
    /// The calendar day, as written (before any offset is applied).
    pub fn date(&self) -> Date {
        self.date
    }

    /// Hour, minute and second, as written.
    pub fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// The fraction of the second, in nanoseconds.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// The offset from UTC in minutes, or `None` when the text had none.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }

    /// Seconds since 1970-01-01T00:00:00Z (a missing offset read as UTC).
    pub fn unix_seconds(&self) -> i64 {
        let local = self.date.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        local - i64::from(self.offset_minutes.unwrap_or(0)) * 60
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// Chronological (a missing offset read as UTC); equal instants then by their text.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.unix_seconds(), self.nanos)
            .cmp(&(other.unix_seconds(), other.nanos))
            .then_with(|| self.offset_minutes.cmp(&other.offset_minutes))
    }
}

impl FromStr for Timestamp {
    type Err = crate::date::ParseDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || crate::date::ParseDateError::new(s, "an RFC 3339 date and time");
        let b = s.as_bytes();
        if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        let date: Date = s.get(..10).ok_or_else(err)?.parse().map_err(|_| err())?;
        let two = |i: usize| -> Option<u8> {
            let (h, l) = (b.get(i)?, b.get(i + 1)?);
            (h.is_ascii_digit() && l.is_ascii_digit()).then(|| (h - b'0') * 10 + (l - b'0'))
        };
        let (hour, minute, second) = (
            two(11).ok_or_else(err)?,
            two(14).ok_or_else(err)?,
            two(17).ok_or_else(err)?,
        );
        if hour > 23 || minute > 59 || second > 60 {
            return Err(err());
        }
        let mut rest = &s[19..];
        let mut nanos = 0u32;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return Err(err());
            }
            let value: u32 = fraction[..digits].parse().map_err(|_| err())?;
            nanos = value * 10u32.pow(9 - u32::try_from(digits).map_err(|_| err())?);
            rest = &fraction[digits..];
        }
        let offset_minutes = match rest {
            "" => None,
            "Z" | "z" => Some(0),
            _ => {
                let ob = rest.as_bytes();
                let sign = match ob.first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(err()),
                };
                if ob.len() != 6 || ob[3] != b':' {
                    return Err(err());
                }
                let two_at = |i: usize| -> Option<i16> {
                    let (h, l) = (ob.get(i)?, ob.get(i + 1)?);
                    (h.is_ascii_digit() && l.is_ascii_digit())
                        .then(|| i16::from((h - b'0') * 10 + (l - b'0')))
                };
                let (h, m) = (two_at(1).ok_or_else(err)?, two_at(4).ok_or_else(err)?);
                if h > 23 || m > 59 {
                    return Err(err());
                }
                Some(sign * (h * 60 + m))
            }
        };
        Ok(Timestamp {
            date,
            hour,
            minute,
            second,
            nanos,
            offset_minutes,
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )?;
        if self.nanos > 0 {
            let digits = format!("{:09}", self.nanos);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        match self.offset_minutes {
            None => Ok(()),
            Some(0) => f.write_str("Z"),
            Some(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                write!(f, "{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
            }
        }
    }
}

crate::date::serde_as_text!(Timestamp);

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn reads_the_forms_the_api_writes() {
        let t = ts("2026-11-26T10:00:00");
        assert_eq!(
            (t.date().to_string(), t.time(), t.offset_minutes()),
            ("2026-11-26".into(), (10, 0, 0), None)
        );
        assert_eq!(t.unix_seconds(), 1_795_687_200);
        assert_eq!(ts("2026-11-26T10:00:00Z").unix_seconds(), 1_795_687_200);
        assert_eq!(
            ts("2026-11-26T12:00:00+02:00").unix_seconds(),
            1_795_687_200
        );
        assert_eq!(
            ts("2026-11-26T05:30:00-04:30").unix_seconds(),
            1_795_687_200
        );
        assert_eq!(ts("2026-11-26T10:00:00.25Z").nanos(), 250_000_000);
        assert_eq!(ts("1969-12-31T23:59:59Z").unix_seconds(), -1);
        for s in [
            "2026-11-26T10:00:00",
            "2026-11-26T10:00:00Z",
            "2026-11-26T10:00:00.123+02:00",
            "2026-11-26T10:00:00-04:30",
        ] {
            assert_eq!(ts(s).to_string(), s);
        }
        assert_eq!(
            ts("2026-11-26 10:00:00.500z").to_string(),
            "2026-11-26T10:00:00.5Z"
        );
    }

    #[test]
    fn orders_by_instant() {
        assert!(ts("2026-11-26T10:00:00+02:00") < ts("2026-11-26T09:00:00"));
        assert!(ts("2026-11-26T10:00:00.1Z") > ts("2026-11-26T10:00:00Z"));
        assert_eq!(
            ts("2026-11-26T10:00:00Z").cmp(&ts("2026-11-26T10:00:00")),
            Ordering::Greater
        );
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for bad in [
            "",
            "2026-11-26",
            "2026-11-26T10:00",
            "2026-11-26T25:00:00",
            "2026-11-26T10:60:00",
            "2026-02-30T10:00:00",
            "2026-11-26T10:00:00+2:00",
            "2026-11-26T10:00:00+02",
            "2026-11-26T10:00:00.Z",
            "2026-11-26T10:00:00.1234567890Z",
            "2026-11-26T10:00:00 UTC",
            "2026-11-26X10:00:00",
            "2026-11-26T1a:00:00",
            "２０２６-11-26T10:00:00",
        ] {
            let e = bad.parse::<Timestamp>().unwrap_err();
            assert!(
                e.to_string().contains("expected an RFC 3339 date and time"),
                "{bad}: {e}"
            );
        }
        assert!(serde_json::from_str::<Timestamp>("\"2026-11-26T10:00:00\"").is_ok());
    }
}

//! [`Date`]: a calendar day as the API writes it, `YYYY-MM-DD`; and [`ReportDate`], a day as
//! a report from the server holds it, which may be a placeholder such as `0000-00-00`.

use std::fmt;
use std::str::FromStr;

/// A calendar day in the API's `YYYY-MM-DD` form (report periods, generation dates).
///
/// Parsing checks the form and the calendar (no 2023-02-29), so a `Date` in hand is always one
/// the API accepts. It orders chronologically.
///
/// ```
/// use acronis_reports::Date;
///
/// let d: Date = "2024-02-29".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
/// assert_eq!(d.to_string(), "2024-02-29");
/// assert!("2023-02-29".parse::<Date>().is_err());
/// # Ok::<(), acronis_reports::ParseDateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date from its parts, or `None` when they name no calendar day.
    ///
    /// `year` must be at most 9999, since the wire form has four digits.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid =
            year <= 9999 && (1..=12).contains(&month) && day >= 1 && day <= days_in(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The first and last day of `month` (1 to 12) of `year`, or `None` when there is no such
    /// month: a report's period for a whole month.
    ///
    /// ```
    /// use acronis_reports::Date;
    ///
    /// let (start, end) = Date::month_bounds(2028, 2).unwrap();
    /// assert_eq!((start.to_string(), end.to_string()), ("2028-02-01".into(), "2028-02-29".into()));
    /// assert!(Date::month_bounds(2026, 13).is_none());
    /// ```
    pub fn month_bounds(year: u16, month: u8) -> Option<(Date, Date)> {
        let start = Date::new(year, month, 1)?;
        Some((start, Date::new(year, month, days_in(year, month))?))
    }

    /// The whole month before this date's (January gives the December before).
    pub fn previous_month(self) -> Option<(Date, Date)> {
        if self.month == 1 {
            Date::month_bounds(self.year.checked_sub(1)?, 12)
        } else {
            Date::month_bounds(self.year, self.month - 1)
        }
    }

    /// Today's date in UTC, from the system clock (1970-01-01 if the clock is before it).
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch(secs / 86_400)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days).
    fn from_days_since_epoch(days: u64) -> Date {
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + u64::from(month <= 2);
        Date {
            year: u16::try_from(year).unwrap_or(9999).min(9999),
            month,
            day,
        }
    }

    /// Days since 1970-01-01 (negative before it): Howard Hinnant's days-from-civil, the
    /// inverse of [`from_days_since_epoch`](Self::from_days_since_epoch).
    pub(crate) fn days_since_epoch(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }
}

fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The error of parsing a [`Date`] or [`Timestamp`](crate::Timestamp) from text of
/// another form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateError {
    value: String,
    expected: &'static str,
}

impl ParseDateError {
    pub(crate) fn new(value: &str, expected: &'static str) -> Self {
        ParseDateError {
            value: value.chars().take(64).collect(),
            expected,
        }
    }
}

impl fmt::Display for ParseDateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid date {:?}: expected {}",
            self.value, self.expected
        )
    }
}

impl std::error::Error for ParseDateError {}

impl FromStr for Date {
    type Err = ParseDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDateError::new(s, "a calendar day as YYYY-MM-DD");
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        // All ten bytes are ASCII, so these slices are on char boundaries.
        let year = s[0..4].parse::<u16>().map_err(|_| err())?;
        let month = s[5..7].parse::<u8>().map_err(|_| err())?;
        let day = s[8..10].parse::<u8>().map_err(|_| err())?;
        Date::new(year, month, day).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Serializes a type as its `Display` text and deserializes it with its `FromStr`, reading
/// the string in place.
macro_rules! serde_as_text {
    ($($name:ty),+) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_str(crate::enums::StrVisitor(|s: &str| s.parse::<$name>()))?
                    .map_err(serde::de::Error::custom)
            }
        }
    )+};
}

pub(crate) use serde_as_text;

serde_as_text!(Date, ReportDate);

/// A day as a report from the server holds it (`period.start`, `period.end`,
/// `generation_date`): a calendar [`Date`], or text of the `YYYY-MM-DD` form that names no
/// calendar day, such as the placeholder `0000-00-00`.
///
/// The vendor's schema allows any such text (`^\d{4}-\d{2}-\d{2}$`), so a report that holds one
/// is read, not refused, and the text is kept. What the crate *sends* takes a [`Date`], which
/// is always a calendar day.
///
/// ```
/// use acronis_reports::{Date, ReportDate};
///
/// let day: ReportDate = serde_json::from_str("\"2026-10-31\"")?;
/// assert_eq!(day.date(), Some(Date::new(2026, 10, 31).unwrap()));
/// let placeholder: ReportDate = serde_json::from_str("\"0000-00-00\"")?;
/// assert_eq!(placeholder.date(), None);
/// assert_eq!(placeholder.to_string(), "0000-00-00");
/// assert!(serde_json::from_str::<ReportDate>("\"31.10.2026\"").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportDate {
    /// A calendar day.
    Day(Date),
    /// Text of the form `YYYY-MM-DD` that is not a calendar day, kept as sent.
    NotADay(NotADay),
}

/// Text of the form `YYYY-MM-DD` that names no calendar day (`0000-00-00`, `2026-02-30`), as
/// a server sent it. Only reading a report makes one.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NotADay([u8; 10]);

impl NotADay {
    /// The text, as sent.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and dashes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
}

impl fmt::Debug for NotADay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NotADay({:?})", self.as_str())
    }
}

impl fmt::Display for NotADay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ReportDate {
    /// The calendar day, or `None` for text that names none.
    pub fn date(&self) -> Option<Date> {
        match self {
            ReportDate::Day(d) => Some(*d),
            ReportDate::NotADay(_) => None,
        }
    }
}

impl From<Date> for ReportDate {
    fn from(date: Date) -> Self {
        ReportDate::Day(date)
    }
}

impl PartialEq<Date> for ReportDate {
    fn eq(&self, other: &Date) -> bool {
        self.date() == Some(*other)
    }
}

impl FromStr for ReportDate {
    type Err = ParseDateError;

    /// A calendar day, or any other text of the form `YYYY-MM-DD` (ASCII digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(day) = s.parse::<Date>() {
            return Ok(ReportDate::Day(day));
        }
        let b = s.as_bytes();
        let text: [u8; 10] = b
            .try_into()
            .map_err(|_| ParseDateError::new(s, "YYYY-MM-DD"))?;
        let shape_ok = text.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        if !shape_ok {
            return Err(ParseDateError::new(s, "YYYY-MM-DD"));
        }
        Ok(ReportDate::NotADay(NotADay(text)))
    }
}

impl fmt::Display for ReportDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportDate::Day(d) => d.fmt(f),
            ReportDate::NotADay(t) => t.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_calendar_days() {
        let d: Date = "2017-05-08".parse().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2017, 5, 8));
        assert_eq!(d.to_string(), "2017-05-08");
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2017-05-08\"");
        assert_eq!(
            serde_json::from_str::<Date>("\"2000-02-29\"").unwrap(),
            Date::new(2000, 2, 29).unwrap()
        );
    }

    #[test]
    fn refuses_what_is_not_a_day() {
        for bad in [
            "",
            "2017-5-8",
            "2017-05-08T00:00:00",
            "2017/05/08",
            "2017-13-01",
            "2017-00-10",
            "2017-04-31",
            "1900-02-29",
            "2017-05-00",
            "+017-05-08",
            "２０１７-05-08",
            "abcd-ef-gh",
        ] {
            let err = bad.parse::<Date>().unwrap_err();
            assert!(err.to_string().starts_with("invalid date"), "{bad}: {err}");
        }
        let err = serde_json::from_str::<Date>("\"2017-02-30\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a calendar day as YYYY-MM-DD"),
            "{err}"
        );
    }

    #[test]
    fn days_since_the_epoch() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_783).to_string(),
            "2026-11-26"
        );
        assert!(Date::today_utc() >= "2026-01-01".parse().unwrap());
    }

    #[test]
    fn days_since_the_epoch_and_back() {
        for days in [0u64, 1, 59, 60, 11_016, 20_783, 2_932_896] {
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.days_since_epoch(), days as i64, "{date}");
        }
        assert_eq!(Date::new(1969, 12, 31).unwrap().days_since_epoch(), -1);
        assert_eq!(Date::new(0, 1, 1).unwrap().days_since_epoch(), -719_528);
    }

    #[test]
    fn orders_chronologically() {
        let a: Date = "2016-12-31".parse().unwrap();
        let b: Date = "2017-01-01".parse().unwrap();
        assert!(a < b);
    }

    #[test]
    fn report_dates_keep_text_that_is_no_calendar_day() {
        for text in ["0000-00-00", "2026-02-30", "9999-99-99", "2026-00-10"] {
            let d: ReportDate = text.parse().unwrap();
            assert_eq!(d.date(), None, "{text}");
            assert_eq!(d.to_string(), text);
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{text}\""));
        }
        let day: ReportDate = "2024-02-29".parse().unwrap();
        assert_eq!(day, Date::new(2024, 2, 29).unwrap());
        assert_eq!(day, ReportDate::from(Date::new(2024, 2, 29).unwrap()));
        for bad in [
            "",
            "2026-1-01",
            "２０２６-01-01",
            "2026/01/01",
            "2026-01-01T00:00",
            "abcd-ef-gh",
        ] {
            assert!(bad.parse::<ReportDate>().is_err(), "{bad}");
        }
    }
}

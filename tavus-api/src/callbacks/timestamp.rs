//! The timestamps of callback bodies: kept as sent, and read when their format is one the
//! callbacks page shows.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A timestamp from a callback body: the text as Tavus sent it, and the instant it names
/// when it is in a format this crate reads.
///
/// The callbacks page shows two formats, and both are read:
///
/// | callbacks | example | read as |
/// |---|---|---|
/// | conversation (`timestamp`) | `2025-07-11T06:45:47.472000Z` | RFC 3339 with its offset (`Z` or `±HH:MM`) |
/// | video generation (`created_at`, `updated_at`) | `2024-08-28 15:27:40.824457` | the same fields without an offset, **taken as UTC** |
///
/// The page gives the video timestamps no zone; they are taken as UTC because Tavus's
/// other timestamps are UTC (the conversation callbacks say `Z`).
/// [`Timestamp::has_offset`] tells which kind a value was. A value in another format (or a
/// placeholder such as the page's `"<timestamp>"`) is kept, never an error:
/// [`Timestamp::to_system_time`] is then `None` and [`Timestamp::as_str`] still has it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    parsed: Option<SystemTime>,
    has_offset: bool,
}

impl Timestamp {
    /// Reads `raw`; never fails (see the type's documentation).
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let (parsed, has_offset) = match parse_instant(raw.as_bytes()) {
            Some((time, has_offset)) => (Some(time), has_offset),
            None => (None, false),
        };
        Self {
            raw,
            parsed,
            has_offset,
        }
    }

    /// The text exactly as sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant, when the text is in one of the formats in the type's documentation
    /// and names a real date and time (no 30 February, no second 60).
    pub fn to_system_time(&self) -> Option<SystemTime> {
        self.parsed
    }

    /// Whether the text carried its own UTC offset (`Z`, `+02:00`); `false` for a text
    /// without one (read as UTC) and for one that could not be read.
    pub fn has_offset(&self) -> bool {
        self.has_offset
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM]`.
fn parse_instant(s: &[u8]) -> Option<(SystemTime, bool)> {
    let mut r = Reader { s, at: 0 };
    let year = r.digits(4)?;
    r.byte(b'-')?;
    let month = r.digits(2)?;
    r.byte(b'-')?;
    let day = r.digits(2)?;
    if !matches!(r.next()?, b'T' | b't' | b' ') {
        return None;
    }
    let hour = r.digits(2)?;
    r.byte(b':')?;
    let minute = r.digits(2)?;
    r.byte(b':')?;
    let second = r.digits(2)?;
    let mut nanos = 0u32;
    if r.peek() == Some(b'.') {
        r.at += 1;
        let start = r.at;
        while let Some(d @ b'0'..=b'9') = r.peek() {
            // Digits past the ninth are below a nanosecond: read, and dropped.
            if r.at - start < 9 {
                nanos = nanos * 10 + u32::from(d - b'0');
            }
            r.at += 1;
        }
        let count = r.at - start;
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let (offset_seconds, has_offset) = match r.next() {
        None => (0, false),
        Some(b'Z' | b'z') => (0, true),
        Some(sign @ (b'+' | b'-')) => {
            let hours = r.digits(2)?;
            r.byte(b':')?;
            let minutes = r.digits(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            (if sign == b'-' { -seconds } else { seconds }, true)
        }
        Some(_) => return None,
    };
    if r.peek().is_some()
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
    let time = if seconds >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(seconds.unsigned_abs(), nanos))?
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(seconds.unsigned_abs()))?
            .checked_add(Duration::from_nanos(u64::from(nanos)))?
    };
    Some((time, has_offset))
}

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `n` ASCII digits (n ≤ 4, so the value fits).
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut value = 0;
        for _ in 0..n {
            match self.next()? {
                d @ b'0'..=b'9' => value = value * 10 + u32::from(d - b'0'),
                _ => return None,
            }
        }
        Some(value)
    }
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(t: &Timestamp) -> Option<(u64, u32)> {
        let d = t.to_system_time()?.duration_since(UNIX_EPOCH).ok()?;
        Some((d.as_secs(), d.subsec_nanos()))
    }

    #[test]
    fn the_conversation_format_is_rfc_3339() {
        // 2025-07-11T06:45:47Z is 1752216347 (date -u -d ... +%s).
        let t = Timestamp::parse("2025-07-11T06:45:47.472000Z");
        assert_eq!(unix(&t), Some((1_752_216_347, 472_000_000)));
        assert!(t.has_offset());
        assert_eq!(t.as_str(), "2025-07-11T06:45:47.472000Z");
        let shifted = Timestamp::parse("2025-07-11T08:45:47.472+02:00");
        assert_eq!(shifted.to_system_time(), t.to_system_time());
    }

    #[test]
    fn the_video_format_has_no_offset_and_is_read_as_utc() {
        // 2024-08-28 15:27:40 UTC is 1724858860.
        let t = Timestamp::parse("2024-08-28 15:27:40.824457");
        assert_eq!(unix(&t), Some((1_724_858_860, 824_457_000)));
        assert!(!t.has_offset());
    }

    #[test]
    fn other_texts_are_kept_unread() {
        for raw in [
            "<timestamp>",
            "",
            "2025-02-30T00:00:00Z",
            "2025-07-11T24:00:00Z",
            "2025-07-11T06:45:60Z",
            "2025-07-11T06:45:47.Z",
            "2025-07-11T06:45:47Z ",
            "2025-07-11T06:45:47+2:00",
            "1752216347",
            "２０２５-07-11T06:45:47Z",
        ] {
            let t = Timestamp::parse(raw);
            assert_eq!(t.to_system_time(), None, "{raw:?}");
            assert_eq!(t.as_str(), raw);
        }
    }

    #[test]
    fn leap_days_fractions_and_dates_before_1970() {
        assert!(
            Timestamp::parse("2024-02-29 00:00:00")
                .to_system_time()
                .is_some()
        );
        assert!(
            Timestamp::parse("2023-02-29 00:00:00")
                .to_system_time()
                .is_none()
        );
        let t = Timestamp::parse("2025-07-11T06:45:47.1234567891234Z");
        assert_eq!(unix(&t), Some((1_752_216_347, 123_456_789)));
        let before = Timestamp::parse("1969-12-31T23:59:59.5Z");
        assert_eq!(
            UNIX_EPOCH
                .duration_since(before.to_system_time().unwrap())
                .ok(),
            Some(Duration::from_millis(500))
        );
        let first = Timestamp::parse("0000-01-01T00:00:00Z");
        assert!(first.to_system_time().is_some());
    }
}

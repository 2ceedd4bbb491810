//! Simulation time in integer ticks of one millisecond, and the unit strings of the format.
//!
//! All engine time is an `i64` count of milliseconds (`Ticks`). Durations and rates are parsed
//! from strings with units (`"2.5s"`, `"1h30m"`, `"1000/h"`) in this one place; a sampled
//! duration in seconds is converted to ticks once, rounding to the nearest millisecond.

/// Simulation time or a duration, in milliseconds.
pub type Ticks = i64;

/// Ticks per second.
pub const TICKS_PER_SECOND: i64 = 1000;
/// Ticks per minute.
pub const MINUTE: Ticks = 60 * TICKS_PER_SECOND;
/// Ticks per hour.
pub const HOUR: Ticks = 60 * MINUTE;
/// Ticks per day.
pub const DAY: Ticks = 24 * HOUR;
/// Longest duration accepted anywhere (10 years): keeps every sum of times far from overflow.
pub const MAX_DURATION: Ticks = 3650 * DAY;

/// Convert seconds (a sampled value) to ticks, rounding to the nearest tick; negative and NaN
/// become 0, values beyond `MAX_DURATION` are clamped.
#[inline]
pub fn secs_to_ticks(seconds: f64) -> Ticks {
    // `x + 0.5` truncated is round-half-up for x >= 0, one instruction instead of a libm call.
    let t = seconds * TICKS_PER_SECOND as f64 + 0.5;
    if t.is_nan() || t < 1.0 {
        0
    } else if t >= MAX_DURATION as f64 {
        MAX_DURATION
    } else {
        t as Ticks
    }
}

/// Convert ticks to seconds.
#[inline]
pub fn ticks_to_secs(t: Ticks) -> f64 {
    t as f64 / TICKS_PER_SECOND as f64
}

fn unit_ticks(unit: &str) -> Option<f64> {
    Some(match unit {
        "ms" => 1.0,
        "s" | "sec" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    })
}

/// Parse a duration such as `"20s"`, `"3m"`, `"1h30m"`, `"2.5s"`, `"1.5h"`, `"2d"`, `"250ms"`.
/// Returns a message saying what is wrong on failure.
pub fn parse_duration(text: &str) -> Result<Ticks, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("an empty string is not a duration".into());
    }
    let mut total = 0.0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!(
                "`{text}` is not a duration: expected a number at `{rest}`"
            ));
        }
        let number: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("`{}` in `{text}` is not a number", &rest[..num_len]))?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!(
                "`{text}` has a number without a unit; add one of ms, s, m, h, d (e.g. \"{number}s\")"
            ));
        }
        let unit = &rest[..unit_len];
        let per = unit_ticks(unit).ok_or_else(|| {
            let hint = match unit.trim_end_matches('s') {
                "day" => "d",
                "hour" | "hr" => "h",
                "minute" | "mi" => "m",
                "second" => "s",
                _ => "",
            };
            let example = if hint.is_empty() {
                String::new()
            } else {
                format!(" (e.g. \"{number}{hint}\")")
            };
            format!("`{unit}` in `{text}` is not a time unit; use ms, s, m, h or d{example}")
        })?;
        total += number * per;
        rest = rest[unit_len..].trim_start();
    }
    if !total.is_finite() || total > MAX_DURATION as f64 {
        return Err(format!(
            "`{text}` is longer than the 10 years ccsim accepts"
        ));
    }
    Ok(total.round() as Ticks)
}

/// Parse a rate such as `"1000/h"`, `"16.7/m"`, `"0.28/s"`, `"24000/d"`; returns events per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let s = text.trim();
    let Some((num, unit)) = s.split_once('/') else {
        return Err(format!(
            "`{text}` is not a rate: write a number per unit, e.g. \"1000/h\", \"16.7/m\", \"0.28/s\""
        ));
    };
    let number: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{}` in `{text}` is not a number", num.trim()))?;
    if !number.is_finite() || number < 0.0 {
        return Err(format!("`{text}` must be a finite rate of zero or more"));
    }
    let per_tick = unit_ticks(unit.trim()).ok_or_else(|| {
        format!(
            "`{}` in `{text}` is not a time unit; use s, m, h or d",
            unit.trim()
        )
    })?;
    Ok(number / per_tick * TICKS_PER_SECOND as f64)
}

/// Parse a clock time of day `"08:00"` or `"8:30:15"` into ticks since midnight.
pub fn parse_clock(text: &str) -> Result<Ticks, String> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let bad = || format!("`{text}` is not a time of day; write \"HH:MM\", e.g. \"08:30\"");
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let mut vals = [0i64; 3];
    for (i, p) in parts.iter().enumerate() {
        vals[i] = p.parse().map_err(|_| bad())?;
    }
    if vals[0] > 24 || vals[1] > 59 || vals[2] > 59 || vals.iter().any(|v| *v < 0) {
        return Err(bad());
    }
    let t = vals[0] * HOUR + vals[1] * MINUTE + vals[2] * TICKS_PER_SECOND;
    if t > DAY {
        return Err(bad());
    }
    Ok(t)
}

/// Format ticks as a compact duration string (`"1h30m"`, `"20s"`, `"250ms"`).
pub fn format_duration(t: Ticks) -> String {
    if t == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = t;
    for (unit, size) in [
        ("d", DAY),
        ("h", HOUR),
        ("m", MINUTE),
        ("s", TICKS_PER_SECOND),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if rest > 0 {
        out.push_str(&format!("{rest}ms"));
    }
    out
}

/// Format a time of day as `HH:MM`.
pub fn format_clock(t: Ticks) -> String {
    let t = t.rem_euclid(DAY);
    format!("{:02}:{:02}", t / HOUR, (t % HOUR) / MINUTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_decimals() {
        assert_eq!(parse_duration("20s"), Ok(20_000));
        assert_eq!(parse_duration("3m"), Ok(180_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("2m8s"), Ok(128_000));
        assert_eq!(parse_duration("2.5s"), Ok(2_500));
        assert_eq!(parse_duration("1.5h"), Ok(5_400_000));
        assert_eq!(parse_duration("2d"), Ok(2 * DAY));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("1h 30m"), Ok(5_400_000));
    }

    #[test]
    fn bad_durations_explain_themselves() {
        assert!(parse_duration("20").unwrap_err().contains("without a unit"));
        assert!(
            parse_duration("20x")
                .unwrap_err()
                .contains("not a time unit")
        );
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("1..5s").is_err());
        assert!(
            parse_duration("99999999d")
                .unwrap_err()
                .contains("10 years")
        );
    }

    #[test]
    fn rates_are_per_second() {
        assert!((parse_rate("1000/h").unwrap() - 1000.0 / 3600.0).abs() < 1e-12);
        assert!((parse_rate("16.7/m").unwrap() - 16.7 / 60.0).abs() < 1e-12);
        assert!((parse_rate("0.28/s").unwrap() - 0.28).abs() < 1e-12);
        assert!((parse_rate("24000/d").unwrap() - 24000.0 / 86400.0).abs() < 1e-12);
        assert!(parse_rate("1000").is_err());
        assert!(parse_rate("-1/h").is_err());
        assert!(parse_rate("NaN/h").is_err());
        assert!(parse_rate("5/week").is_err());
    }

    #[test]
    fn clock_and_formatting() {
        assert_eq!(parse_clock("08:00"), Ok(8 * HOUR));
        assert_eq!(parse_clock("8:30:15"), Ok(8 * HOUR + 30 * MINUTE + 15_000));
        assert!(parse_clock("25:00").is_err());
        assert!(parse_clock("8h").is_err());
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(250), "250ms");
        assert_eq!(format_clock(8 * HOUR + 30 * MINUTE), "08:30");
        assert_eq!(secs_to_ticks(1.2345), 1235);
        assert_eq!(secs_to_ticks(f64::NAN), 0);
        assert_eq!(secs_to_ticks(-3.0), 0);
    }
}

//! `[arrivals] file = "..."`: arrival rates from a CSV of interval starts and rates.
//!
//! The file has a header line with (at least) the columns `start` and `rate`. `start` is a
//! duration from the start of the repeating period (`"0m"`, `"8h30m"`, `"1d8h"`) or a time of
//! day (`"08:30"`); `rate` is a rate string (`"120/h"`). Starts begin at 0, strictly increase
//! and fall on interval boundaries; each rate holds until the next row's start, the last one
//! until the end of the period. A file whose starts stay below a day describes a day (repeated
//! daily, like `profile`); one whose starts stay below 7 days describes a week, Monday first
//! (repeated weekly); one with a start at 7 days or later describes the smallest whole number
//! of weeks holding every start (a multi-week forecast, at most `MAX_WEEKS`; day 0 is the
//! window's first day, a Monday), repeated after that.

use super::data::csv_line;
use super::read::{MAX_RATE_PER_SECOND, Reader, suggest};
use super::tree::Node;
use crate::time::{DAY, Ticks, format_duration, parse_clock, parse_duration, parse_rate};

const WEEK: Ticks = 7 * DAY;

/// The most weeks a file may describe (a year's forecast, 53 weeks).
pub const MAX_WEEKS: i64 = 53;

/// Rates per interval slot read from a file: a day's, a week's or several weeks'.
#[derive(Debug, Clone, PartialEq)]
pub struct RateTable {
    /// Rate per slot [per second]; `days × DAY / interval` slots.
    pub profile: Vec<f64>,
    /// Days the file describes before it repeats: 1 (a day), 7 (a week, Monday first) or a
    /// multiple of 7 (several weeks, Monday first).
    pub days: usize,
}

/// What is wrong with a file: where (its line, when one is to blame), what, and the fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Line of the file (1 = the header).
    pub line: Option<u64>,
    /// What was found and what is allowed.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Problem {
    fn at(line: u64, message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            line: Some(line),
            message: message.into(),
            help: help.into(),
        }
    }

    fn whole(message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            line: None,
            message: message.into(),
            help: help.into(),
        }
    }
}

const SHAPE_HELP: &str = "the file needs a header line and one row per interval start, e.g. \
                          `start,rate` then `0m,20/h` and `8h,340/h` (path relative to the \
                          scenario file)";

/// Read `arrivals.file` (the string at `node`): the rates, or `None` after recording a located
/// error (the key's place, the CSV's path and line, and a fix).
pub fn read_rates_file(r: &mut Reader, node: &Node, interval: Ticks) -> Option<RateTable> {
    const KEY: &str = "arrivals.file";
    let file = r.string(node, KEY)?;
    let full = r.base_dir(node.span).join(&file);
    let read = r
        .read_data(&full)
        .map_err(|e| Problem::whole(format!("cannot read the file: {e}"), SHAPE_HELP));
    match read.and_then(|bytes| parse_rates(&bytes, interval)) {
        Ok(t) => Some(t),
        Err(p) => {
            let place = match p.line {
                Some(l) => format!("{} line {l}", full.display()),
                None => full.display().to_string(),
            };
            r.error_help(node.span, KEY, format!("{place}: {}", p.message), p.help);
            None
        }
    }
}

/// Parse the bytes of a rates file: see the module documentation for the format.
pub fn parse_rates(bytes: &[u8], interval: Ticks) -> Result<RateTable, Problem> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| Problem::at(1, format!("cannot read the header line: {e}"), SHAPE_HELP))?
        .clone();
    if headers.is_empty() || headers.iter().all(str::is_empty) {
        return Err(Problem::whole("the file is empty", SHAPE_HELP));
    }
    let column = |name: &str| -> Result<usize, Problem> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let names: Vec<&str> = headers.iter().collect();
            let hint = suggest(name, names.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            Problem::at(
                1,
                format!(
                    "no column `{name}`{hint}; the columns are: {}",
                    names.join(", ")
                ),
                "name the columns `start` and `rate` in the header line (other columns are \
                 ignored)",
            )
        })
    };
    let (start_col, rate_col) = (column("start")?, column("rate")?);
    // (start, rate per second, line, the start as written)
    let mut rows: Vec<(Ticks, f64, u64, String)> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            let line = csv_line(bytes, e.position(), i as u64 + 2);
            Problem::at(line, format!("cannot read the row: {e}"), SHAPE_HELP)
        })?;
        let line = csv_line(bytes, rec.position(), i as u64 + 2);
        let start_text = rec.get(start_col).unwrap_or("");
        let start = parse_start(start_text).map_err(|(m, h)| Problem::at(line, m, h))?;
        let rate = parse_rate_cell(rec.get(rate_col).unwrap_or(""))
            .map_err(|(m, h)| Problem::at(line, m, h))?;
        if start >= MAX_WEEKS * WEEK {
            return Err(Problem::at(
                line,
                format!(
                    "start \"{start_text}\" is {MAX_WEEKS} weeks or more into the period; a file \
                     describes at most {MAX_WEEKS} weeks (starts below \"{}d\")",
                    MAX_WEEKS * 7
                ),
                format!(
                    "give at most {MAX_WEEKS} weeks of rates, Monday first (the file repeats \
                     after its last week), or check the start's unit (\"d\" is days, \"h\" hours)"
                ),
            ));
        }
        match rows.last() {
            None if start != 0 => {
                return Err(Problem::at(
                    line,
                    format!(
                        "the first row starts at \"{start_text}\", but the rows must begin at 0"
                    ),
                    "add a first row with start \"0m\" (with rate \"0/h\" if nothing arrives \
                     before the next row)",
                ));
            }
            Some((prev, _, prev_line, prev_text)) if start <= *prev => {
                return Err(Problem::at(
                    line,
                    format!(
                        "start \"{start_text}\" does not come after the previous row's start \
                         \"{prev_text}\" (line {prev_line}); starts must strictly increase"
                    ),
                    "list the rows in time order, one row per start",
                ));
            }
            _ => {}
        }
        if start % interval != 0 {
            let below = start - start % interval;
            return Err(Problem::at(
                line,
                format!(
                    "start \"{start_text}\" is not a multiple of the interval {}",
                    format_duration(interval)
                ),
                format!(
                    "start rows on interval boundaries (e.g. \"{}\" or \"{}\"), or change \
                     scenario.interval",
                    format_duration(below),
                    format_duration(below + interval)
                ),
            ));
        }
        rows.push((start, rate, line, start_text.to_string()));
    }
    let Some(last) = rows.last() else {
        return Err(Problem::whole(
            "the file has a header line but no rows",
            SHAPE_HELP,
        ));
    };
    let period = period_of(last.0);
    let mut profile = Vec::with_capacity((period / interval) as usize);
    for (i, (start, rate, _, _)) in rows.iter().enumerate() {
        let end = rows.get(i + 1).map_or(period, |next| next.0);
        profile.extend(std::iter::repeat_n(
            *rate,
            ((end - start) / interval) as usize,
        ));
    }
    Ok(RateTable {
        profile,
        days: (period / DAY) as usize,
    })
}

/// The period of a file whose last start is `last`: a day when it is below 24h, else the
/// smallest whole number of weeks holding it (a week when it is below 7d).
fn period_of(last: Ticks) -> Ticks {
    if last < DAY {
        DAY
    } else {
        (last.div_euclid(WEEK) + 1) * WEEK
    }
}

type CellError = (String, String);

/// A start: a duration with units, or a time of day `HH:MM` (before 24:00).
fn parse_start(text: &str) -> Result<Ticks, CellError> {
    const HELP: &str = "write the start as a duration from the start of the day or week(s), \
                        e.g. \"0m\", \"8h30m\", \"1d8h\" (Tuesday 08:00), or a time of day \"08:30\"";
    if text.is_empty() {
        return Err(("the start is empty".into(), HELP.into()));
    }
    if text.contains(':') {
        return match parse_clock(text) {
            Ok(t) if t < DAY => Ok(t),
            Ok(_) => Err((
                format!("start \"{text}\" is the end of the day, not a start in it"),
                "a time of day starts before 24:00; for a week use durations (\"1d\" is \
                 Tuesday 00:00)"
                    .into(),
            )),
            Err(e) => Err((format!("start \"{text}\": {e}"), HELP.into())),
        };
    }
    if text.parse::<f64>().is_ok() {
        return Err((
            format!("start \"{text}\" is a bare number: the unit is missing"),
            format!(
                "write it with a unit, e.g. \"{text}m\" or \"{text}h\", or as a time of day \"08:30\""
            ),
        ));
    }
    parse_duration(text).map_err(|e| (format!("start \"{text}\": {e}"), HELP.into()))
}

/// A rate: a string with a unit (`"120/h"`), at most the rate cap.
fn parse_rate_cell(text: &str) -> Result<f64, CellError> {
    if text.is_empty() {
        return Err((
            "the rate is empty".into(),
            "write a rate as \"count/unit\", e.g. \"120/h\" (\"0/h\" when nothing arrives)".into(),
        ));
    }
    if text.parse::<f64>().is_ok() {
        return Err((
            format!("rate \"{text}\" is a bare number: the unit is missing"),
            format!("write it with a unit, e.g. \"{text}/h\" for per hour"),
        ));
    }
    match parse_rate(text) {
        Ok(v) if v > MAX_RATE_PER_SECOND => Err((
            format!("rate \"{text}\" is more than ccsim accepts (at most 1000000/h)"),
            "check the unit: \"1000/h\" is a thousand per hour, \"1000/s\" a thousand per second"
                .into(),
        )),
        Ok(v) => Ok(v),
        Err(e) => Err((
            format!("rate \"{text}\": {e}"),
            "write a rate as \"count/unit\", e.g. \"120/h\"".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{HOUR, MINUTE};

    fn load(text: &str, interval: Ticks) -> Result<RateTable, Problem> {
        parse_rates(text.as_bytes(), interval)
    }

    #[test]
    fn hourly_rows_fill_half_hour_slots() {
        let t = load("start,rate\n0m,0/h\n8h,360/h\n17:00,36/h\n", 30 * MINUTE).expect("valid");
        assert_eq!(t.days, 1);
        assert_eq!(t.profile.len(), 48);
        assert_eq!(t.profile[15], 0.0);
        assert!((t.profile[16] - 0.1).abs() < 1e-12);
        assert!((t.profile[33] - 0.1).abs() < 1e-12);
        assert!((t.profile[34] - 0.01).abs() < 1e-12);
        assert!((t.profile[47] - 0.01).abs() < 1e-12);
    }

    #[test]
    fn a_start_past_a_day_makes_a_week() {
        let t = load("note, start ,rate\nmon,0m,3600/h\nsat,5d,0/h\n", HOUR).expect("valid");
        assert_eq!(t.days, 7);
        assert_eq!(t.profile.len(), 7 * 24);
        assert_eq!(t.profile[5 * 24 - 1], 1.0);
        assert_eq!(t.profile[5 * 24], 0.0);
        assert_eq!(t.profile[7 * 24 - 1], 0.0);
    }

    #[test]
    fn a_start_past_a_week_makes_whole_weeks() {
        for (last, weeks) in [
            ("6d23h", 1),
            ("7d", 2),
            ("13d23h", 2),
            ("14d", 3),
            ("27d23h30m", 4),
            ("370d23h", 53),
        ] {
            let t = load(&format!("start,rate\n0m,1/h\n{last},2/h\n"), 30 * MINUTE)
                .unwrap_or_else(|p| panic!("{last}: {p:?}"));
            assert_eq!(t.days, 7 * weeks, "{last}");
            assert_eq!(t.profile.len(), 7 * weeks * 48, "{last}");
            // The last rate holds to the end of the period.
            let at =
                (crate::time::parse_duration(last).expect("duration") / (30 * MINUTE)) as usize;
            assert!(t.profile[at - 1] < t.profile[at], "{last}");
            assert_eq!(t.profile.last(), Some(&(2.0 / 3600.0)), "{last}");
        }
    }

    #[test]
    fn a_multi_week_file_keeps_each_week() {
        let t = load("start,rate\n0m,3600/h\n7d,7200/h\n7d8h,0/h\n", HOUR).expect("valid");
        assert_eq!(t.days, 14);
        assert!(t.profile[..7 * 24].iter().all(|&r| r == 1.0));
        assert!(t.profile[7 * 24..7 * 24 + 8].iter().all(|&r| r == 2.0));
        assert!(t.profile[7 * 24 + 8..].iter().all(|&r| r == 0.0));
    }

    #[test]
    fn problems_name_the_line() {
        let cases: &[(&str, Option<u64>, &str)] = &[
            (
                "start,rate\n0m,1/h\n8h10m,2/h\n",
                Some(3),
                "not a multiple of the interval 30m",
            ),
            ("start,rate\n1h,1/h\n", Some(2), "must begin at 0"),
            ("start,rate\n0m,1/h\n2h,1/h\n2h,1/h\n", Some(4), "(line 3)"),
            (
                "start,rate\n0m,1/h\n7d,1/h\n371d,1/h\n",
                Some(4),
                "at most 53 weeks",
            ),
            ("start,rate\n0m,1/h\n9000h,1/h\n", Some(3), "\"9000h\""),
            ("start,rate\n0m,120\n", Some(2), "bare number"),
            ("start,rate\n0,1/h\n", Some(2), "bare number"),
            ("start,rate\n0m,lots\n", Some(2), "not a rate"),
            ("start,rate\nsoon,1/h\n", Some(2), "soon"),
            (
                "start,rate\n0m,2000000/h\n",
                Some(2),
                "more than ccsim accepts",
            ),
            ("start,rate\n", None, "no rows"),
            ("", None, "empty"),
            ("begin,rate\n0m,1/h\n", Some(1), "no column `start`"),
            (
                "start,rate\n0m,1/h\n1h,1/h,x\n",
                Some(3),
                "cannot read the row",
            ),
            ("start,rate\n24:00,1/h\n", Some(2), "end of the day"),
            // Blank lines and CRLF endings count as lines of the file.
            (
                "start,rate\r\n0m,1/h\r\n\r\n\r\n8h,1/h\r\n8h15m,1/h\r\n",
                Some(6),
                "8h15m",
            ),
            (
                "\u{feff}start,rate\n0m,1/h\n\n2h,1/h\n1h,1/h\n",
                Some(5),
                "(line 4)",
            ),
        ];
        for (text, line, want) in cases {
            let p = load(text, 30 * MINUTE).expect_err(text);
            assert_eq!(p.line, *line, "{text}: {p:?}");
            assert!(p.message.contains(want), "{text}: {p:?}");
            assert!(!p.help.is_empty());
        }
    }
}

//! The scenario loader (`ccsim::scenario::load_str`): malformed inputs give located, helpful diagnostics; valid ones load with the documented defaults.

use std::path::{Path, PathBuf};

use ccsim::Error;
use ccsim::dist::Dist;
use ccsim::error::Diagnostic;
use ccsim::scenario::{Scenario, Staffing, load_str};
use ccsim::time::{DAY, MINUTE, TICKS_PER_SECOND};

const HANDLE: &str = r#"handle = { dist = "exponential", mean = "3m" }"#;

/// A scenario document built from section bodies; an empty body leaves the section out.
#[derive(Clone)]
struct Doc {
    top: String,
    scenario: String,
    arrivals: String,
    persona: String,
    reason: String,
    group: String,
    extra: String,
}

/// A small valid scenario.
fn doc() -> Doc {
    Doc {
        top: String::new(),
        scenario: "name = \"case\"\nreplications = 2".into(),
        arrivals: "rate = \"100/h\"".into(),
        persona: "name = \"p\"".into(),
        reason: format!("name = \"r\"\n{HANDLE}"),
        group: "name = \"g\"\nagents = 5".into(),
        extra: String::new(),
    }
}

impl Doc {
    fn top(mut self, body: &str) -> Self {
        self.top = body.into();
        self
    }
    fn scenario(mut self, body: &str) -> Self {
        self.scenario = body.into();
        self
    }
    fn arrivals(mut self, body: &str) -> Self {
        self.arrivals = body.into();
        self
    }
    fn persona(mut self, body: &str) -> Self {
        self.persona = body.into();
        self
    }
    fn reason(mut self, body: &str) -> Self {
        self.reason = body.into();
        self
    }
    fn group(mut self, body: &str) -> Self {
        self.group = body.into();
        self
    }
    fn extra(mut self, body: &str) -> Self {
        self.extra = body.into();
        self
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if !self.top.is_empty() {
            out.push_str(&self.top);
            out.push_str("\n\n");
        }
        for (header, body) in [
            ("[scenario]", &self.scenario),
            ("[arrivals]", &self.arrivals),
            ("[[persona]]", &self.persona),
            ("[[reason]]", &self.reason),
            ("[[group]]", &self.group),
        ] {
            if !body.is_empty() {
                out.push_str(header);
                out.push('\n');
                out.push_str(body);
                out.push_str("\n\n");
            }
        }
        out.push_str(&self.extra);
        out.push('\n');
        out
    }
}

/// `n` comma-separated quoted items of `item`, with `bad` at index `at`.
fn list(n: usize, item: &str, at: Option<(usize, &str)>) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| match at {
            Some((j, bad)) if i == j => bad.to_string(),
            _ => item.to_string(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn load_at(path: &Path, text: &str) -> ccsim::Result<Scenario> {
    load_str(path, text.to_string(), "case")
}

fn load(text: &str) -> Scenario {
    match load_at(Path::new("case.toml"), text) {
        Ok(s) => s,
        Err(e) => panic!("expected the scenario to load, got:\n{e}\n--- text ---\n{text}"),
    }
}

fn diags_at(path: &Path, text: &str) -> Vec<Diagnostic> {
    match load_at(path, text) {
        Ok(_) => panic!("expected an error, the scenario loaded:\n{text}"),
        Err(Error::Input(d)) => {
            assert!(!d.is_empty(), "Error::Input with no diagnostics");
            d
        }
        Err(e) => panic!("expected Error::Input, got {e:?}"),
    }
}

/// 1-based line of the `nth` (1-based) line containing `marker`.
fn line_of(text: &str, marker: &str, nth: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(marker))
        .nth(nth - 1)
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("marker {marker:?} #{nth} not in:\n{text}"))
}

fn render(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|x| format!("  [{}] {x}", x.key_path))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the expected diagnostic must point.
enum At {
    /// The line holding this text (first occurrence).
    Line(&'static str),
    /// The nth line holding this text.
    Nth(&'static str, usize),
    /// A fixed line number.
    Number(usize),
}

struct Case {
    name: &'static str,
    file: &'static str,
    text: String,
    /// Expected `Diagnostic::key_path`; `None` for syntax errors where it is not meaningful.
    key: Option<&'static str>,
    at: At,
    /// Substrings the rendered diagnostic (message and help) must contain.
    needles: &'static [&'static str],
}

fn case(
    name: &'static str,
    text: String,
    key: &'static str,
    at: At,
    needles: &'static [&'static str],
) -> Case {
    Case {
        name,
        file: "case.toml",
        text,
        key: Some(key),
        at,
        needles,
    }
}

fn cases() -> Vec<Case> {
    use At::*;
    let staffing48 = list(48, "5", Some((3, "-2")));
    let staffing47 = list(47, "5", None);
    let profile47 = list(47, "\"100/h\"", None);
    let profile_bare = list(48, "\"100/h\"", Some((5, "100")));
    let two_groups = "[[group]]\nname = \"sales\"\nagents = 2\n";
    vec![
        // --- bare numbers for durations and rates ---
        case(
            "bare sl_threshold",
            doc()
                .scenario("name = \"case\"\nsl_threshold = 20")
                .text(),
            "scenario.sl_threshold",
            Line("sl_threshold = 20"),
            &["bare number (20)", "\"20s\""],
        ),
        case(
            "bare duration inside a distribution",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"exponential\", mean = 180 }")
                .text(),
            "reason[r].handle.mean",
            Line("mean = 180"),
            &["bare number (180)", "\"180s\""],
        ),
        case(
            "bare horizon",
            doc().scenario("name = \"case\"\nhorizon = 5").text(),
            "scenario.horizon",
            Line("horizon = 5"),
            &["bare number (5)", "unit is missing"],
        ),
        case(
            "bare rate",
            doc().arrivals("rate = 100").text(),
            "arrivals.rate",
            Line("rate = 100"),
            &["expected a rate string, found 100", "\"100/h\""],
        ),
        case(
            "bare rate in a profile",
            doc()
                .arrivals(&format!("profile = {profile_bare}"))
                .text(),
            "arrivals.profile[5]",
            Line("profile = "),
            &["expected a rate string, found 100", "\"100/h\""],
        ),
        case(
            "patience as a plain duration",
            doc().persona("name = \"p\"\npatience = \"5m\"").text(),
            "persona[p].patience",
            Line("patience = "),
            &["expected a distribution table", "dist = \"constant\""],
        ),
        // --- wrong units and unreadable values ---
        case(
            "unknown duration unit",
            doc().scenario("name = \"case\"\nwarmup = \"20x\"").text(),
            "scenario.warmup",
            Line("warmup = "),
            &["`x` in `20x` is not a time unit", "\"20s\""],
        ),
        case(
            "unknown rate unit",
            doc().arrivals("rate = \"100/hour\"").text(),
            "arrivals.rate",
            Line("rate = "),
            &["`hour` in `100/hour` is not a time unit", "\"1000/h\""],
        ),
        case(
            "empty duration",
            doc().scenario("name = \"case\"\nsl_threshold = \"\"").text(),
            "scenario.sl_threshold",
            Line("sl_threshold = "),
            &["empty string is not a duration"],
        ),
        case(
            "negative duration",
            doc().scenario("name = \"case\"\ndrain = \"-1d\"").text(),
            "scenario.drain",
            Line("drain = "),
            &["`-1d` is not a duration"],
        ),
        // --- NaN and infinity ---
        case(
            "nan duration",
            doc()
                .scenario("name = \"case\"\nsl_threshold = nan")
                .text(),
            "scenario.sl_threshold",
            Line("sl_threshold = nan"),
            &["NaN", "not a duration"],
        ),
        case(
            "inf rate",
            doc().arrivals("rate = inf").text(),
            "arrivals.rate",
            Line("rate = inf"),
            &["expected a rate string, found inf"],
        ),
        case(
            "nan probability",
            doc().reason(&format!("name = \"r\"\n{HANDLE}\nresolve = nan")).text(),
            "reason[r].resolve",
            Line("resolve = nan"),
            &["expected a finite number, found NaN"],
        ),
        case(
            "inf cv",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"lognormal\", mean = \"4m\", cv = inf }")
                .text(),
            "reason[r].handle.cv",
            Line("cv = inf"),
            &["expected a finite number, found inf"],
        ),
        case(
            "-inf overdispersion",
            doc()
                .arrivals("rate = \"100/h\"\noverdispersion = -inf")
                .text(),
            "arrivals.overdispersion",
            Line("overdispersion"),
            &["expected a finite number, found -inf"],
        ),
        // --- out-of-range numbers ---
        case(
            "negative rate",
            doc().arrivals("rate = \"-5/h\"").text(),
            "arrivals.rate",
            Line("rate = "),
            &["`-5/h`", "zero or more"],
        ),
        case(
            "negative agents",
            doc().group("name = \"g\"\nagents = -1").text(),
            "group[g].agents",
            Line("agents = -1"),
            &["-1 is out of range", "0 to 100000"],
        ),
        case(
            "negative head count in staffing",
            doc()
                .group(&format!("name = \"g\"\nstaffing = {staffing48}"))
                .text(),
            "group[g].staffing[3]",
            Line("staffing = "),
            &["-2 is out of range"],
        ),
        case(
            "zero lines",
            doc().extra("[channels.phone]\nlines = 0").text(),
            "channels.phone.lines",
            Line("lines = 0"),
            &["0 is out of range", "allowed 1 to"],
        ),
        case(
            "zero replications",
            doc().scenario("name = \"case\"\nreplications = 0").text(),
            "scenario.replications",
            Line("replications = 0"),
            &["0 is out of range", "1 to 100000"],
        ),
        case(
            "enormous agents",
            doc().group("name = \"g\"\nagents = 1000000000000").text(),
            "group[g].agents",
            Line("agents = "),
            &["1000000000000 is out of range", "0 to 100000"],
        ),
        case(
            "integer beyond i64",
            doc()
                .group("name = \"g\"\nagents = 99999999999999999999")
                .text(),
            "group[0].agents",
            Line("agents = "),
            &["99999999999999999999 is out of range"],
        ),
        case(
            "priority level 0",
            doc().extra("[routing]\npriorities = { r = 0 }").text(),
            "routing.priorities.r",
            Line("priorities = "),
            &["0 is out of range", "1 to 100"],
        ),
        // --- probabilities ---
        case(
            "resolve above 1",
            doc().reason(&format!("name = \"r\"\n{HANDLE}\nresolve = 1.5")).text(),
            "reason[r].resolve",
            Line("resolve = 1.5"),
            &["1.5 is not a probability", "0 to 1"],
        ),
        case(
            "retry below 0",
            doc()
                .persona(
                    "name = \"p\"\npersistence = { retry = -0.1, delay = { dist = \"exponential\", mean = \"30m\" } }",
                )
                .text(),
            "persona[p].persistence.retry",
            Line("persistence = "),
            &["-0.1 is not a probability", "0 to 1"],
        ),
        case(
            "retry without delay",
            doc()
                .persona("name = \"p\"\npersistence = { retry = 0.5 }")
                .text(),
            "persona[p].persistence.delay",
            Line("persistence = "),
            &["no delay"],
        ),
        case(
            "phone channel share above 1",
            doc().persona("name = \"p\"\nchannels = { phone = 1.2 }").text(),
            "persona[p].channels.phone",
            Line("channels = "),
            &["1.2 is not a probability"],
        ),
        // --- shares ---
        case(
            "persona shares sum to zero",
            doc()
                .persona("name = \"p\"\nshare = 0")
                .extra("[[persona]]\nname = \"q\"\nshare = 0")
                .text(),
            "persona.share",
            Nth("[[persona]]", 1),
            &["shares of all personas sum to 0"],
        ),
        case(
            "reason shares sum to zero",
            doc()
                .reason(&format!("name = \"r\"\nshare = 0\n{HANDLE}"))
                .text(),
            "reason.share",
            Nth("[[reason]]", 1),
            &["shares of all reasons sum to 0"],
        ),
        case(
            "negative share",
            doc().persona("name = \"p\"\nshare = -1").text(),
            "persona[p].share",
            Line("share = -1"),
            &["-1 is out of range"],
        ),
        // --- unknown keys, with suggestions ---
        case(
            "misspelt handle",
            doc()
                .reason("name = \"r\"\nhandel = { dist = \"exponential\", mean = \"3m\" }")
                .text(),
            "reason[r].handel",
            Line("handel = "),
            &["unknown key `handel`", "did you mean `handle`?"],
        ),
        case(
            "misspelt top-level table",
            doc().extra("[[grup]]\nname = \"x\"\nagents = 3").text(),
            "grup",
            Line("[[grup]]"),
            &["unknown key `grup` at the top level", "did you mean `group`?"],
        ),
        case(
            "misspelt scenario key",
            doc().scenario("name = \"case\"\nreplicatons = 3").text(),
            "scenario.replicatons",
            Line("replicatons"),
            &["unknown key `replicatons`", "did you mean `replications`?"],
        ),
        case(
            "misspelt group key in a second group",
            doc()
                .extra("[[group]]\nname = \"h\"\nagentz = 3")
                .text(),
            "group[h].agentz",
            Line("agentz"),
            &["unknown key `agentz`", "did you mean `agents`?"],
        ),
        case(
            "parameter of another distribution",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"exponential\", mean = \"3m\", cv = 0.5 }")
                .text(),
            "reason[r].handle.cv",
            Line("handle = "),
            &["unknown key `cv`"],
        ),
        // --- names ---
        case(
            "duplicate group name",
            doc()
                .group("name = \"care\"\nagents = 5")
                .extra("[[group]]\nname = \"care\"\nagents = 3")
                .text(),
            "group[care]",
            Nth("[[group]]", 2),
            &["duplicate group name \"care\"", "first defined on line"],
        ),
        case(
            "duplicate reason name",
            doc()
                .extra(&format!("[[reason]]\nname = \"r\"\n{HANDLE}"))
                .text(),
            "reason[r]",
            Nth("[[reason]]", 2),
            &["duplicate reason name \"r\""],
        ),
        case(
            "reason without a name",
            doc().reason(HANDLE).text(),
            "reason[0].name",
            Line("[[reason]]"),
            &["this reason has no name", "name = "],
        ),
        case(
            "unusable scenario name",
            doc().scenario("name = \"a/b\"").text(),
            "scenario.name",
            Line("name = \"a/b\""),
            &["\"a/b\" cannot name a scenario"],
        ),
        case(
            "name of the wrong type",
            doc().scenario("name = 5").text(),
            "scenario.name",
            Line("name = 5"),
            &["expected a string, found 5"],
        ),
        case(
            "reason skill no group has",
            doc()
                .group("name = \"g\"\nagents = 5\nskills = { billing = 1.0, tech = 0.5 }")
                .reason(&format!("name = \"r\"\nskill = \"biling\"\n{HANDLE}"))
                .text(),
            "reason[r].skill",
            Line("skill = \"biling\""),
            &["no group has the skill \"biling\"", "did you mean \"billing\"?"],
        ),
        case(
            "overflow to a missing group",
            doc()
                .group("name = \"care\"\nagents = 5")
                .extra(&format!(
                    "{two_groups}\n[[routing.overflow]]\nfrom = \"care\"\nto = \"salse\"\nafter = \"60s\""
                ))
                .text(),
            "routing.overflow[0].to",
            Line("to = \"salse\""),
            &["no group is named \"salse\"", "did you mean \"sales\"?"],
        ),
        case(
            "overflow to itself",
            doc()
                .group("name = \"care\"\nagents = 5")
                .extra("[[routing.overflow]]\nfrom = \"care\"\nto = \"care\"\nafter = \"60s\"")
                .text(),
            "routing.overflow[0]",
            Line("[[routing.overflow]]"),
            &["cannot overflow to itself"],
        ),
        case(
            "overflow without after",
            doc()
                .group("name = \"care\"\nagents = 5")
                .extra(&format!(
                    "{two_groups}\n[[routing.overflow]]\nfrom = \"care\"\nto = \"sales\""
                ))
                .text(),
            "routing.overflow[0].after",
            Line("[[routing.overflow]]"),
            &["missing required key `after`", "\"60s\""],
        ),
        case(
            "priority for an unknown name",
            doc().extra("[routing]\npriorities = { pp = 1 }").text(),
            "routing.priorities.pp",
            Line("priorities = "),
            &["\"pp\" is neither a reason nor a persona", "did you mean \"p\"?"],
        ),
        case(
            "unknown routing policy",
            doc().extra("[routing]\npolicy = \"random\"").text(),
            "routing.policy",
            Line("policy = "),
            &["unknown routing policy \"random\"", "longest-idle"],
        ),
        // --- the day: interval, profile, staffing, horizon ---
        case(
            "profile of 47 rates with 30m intervals",
            doc().arrivals(&format!("profile = {profile47}")).text(),
            "arrivals.profile",
            Line("profile = "),
            &["found 47 rates", "a day has 48 intervals of 30m"],
        ),
        case(
            "interval that does not divide a day",
            doc().scenario("name = \"case\"\ninterval = \"7m\"").text(),
            "scenario.interval",
            Line("interval = "),
            &["\"7m\" cannot be the interval", "divide a day", "\"30m\""],
        ),
        case(
            "staffing of 47 head counts",
            doc()
                .group(&format!("name = \"g\"\nstaffing = {staffing47}"))
                .text(),
            "group[g].staffing",
            Line("staffing = "),
            &["found 47 values", "48 intervals"],
        ),
        case(
            "six weekday factors",
            doc()
                .arrivals("rate = \"100/h\"\nweekday_factors = [1, 1, 1, 1, 1, 1]")
                .text(),
            "arrivals.weekday_factors",
            Line("weekday_factors"),
            &["found 6 factors, expected 7"],
        ),
        case(
            "rate and profile together",
            doc()
                .arrivals(&format!(
                    "rate = \"100/h\"\nprofile = {}",
                    list(48, "\"1/h\"", None)
                ))
                .text(),
            "arrivals.profile",
            Line("profile = "),
            &["both `rate` and `profile`"],
        ),
        case(
            "no arrival rate",
            doc().arrivals("overdispersion = 0.1").text(),
            "arrivals.rate",
            Line("[arrivals]"),
            &["missing the arrival rate", "rate = \"1000/h\""],
        ),
        case(
            "group without staffing",
            doc().group("name = \"g\"").text(),
            "group[g].agents",
            Line("[[group]]"),
            &["no staffing", "agents = 10"],
        ),
        case(
            "agents and staffing together",
            doc()
                .group(&format!("name = \"g\"\nagents = 3\nstaffing = {}", list(48, "1", None)))
                .text(),
            "group[g].staffing",
            Line("staffing = "),
            &["both `agents` and `staffing`"],
        ),
        // --- wrong types ---
        case(
            "agents as text",
            doc().group("name = \"g\"\nagents = \"ten\"").text(),
            "group[g].agents",
            Line("agents = "),
            &["expected a whole number, found \"ten\""],
        ),
        case(
            "fractional agents",
            doc().group("name = \"g\"\nagents = 2.5").text(),
            "group[g].agents",
            Line("agents = "),
            &["expected a whole number, found 2.5"],
        ),
        case(
            "handle as a duration string",
            doc().reason("name = \"r\"\nhandle = \"3m\"").text(),
            "reason[r].handle",
            Line("handle = "),
            &[
                "expected a distribution table, found \"3m\"",
                "{ dist = \"constant\", value = \"3m\" }",
            ],
        ),
        // --- distributions ---
        case(
            "lognormal without cv",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"lognormal\", mean = \"4m\" }")
                .text(),
            "reason[r].handle.cv",
            Line("handle = "),
            &["missing required key `cv`", "cv = 0.8"],
        ),
        case(
            "unknown distribution",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"normall\", mean = \"4m\" }")
                .text(),
            "reason[r].handle.dist",
            Line("handle = "),
            &["unknown distribution \"normall\"", "lognormal", "exponential"],
        ),
        case(
            "misspelt distribution",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"exponental\", mean = \"4m\" }")
                .text(),
            "reason[r].handle.dist",
            Line("handle = "),
            &["unknown distribution \"exponental\"", "did you mean \"exponential\"?"],
        ),
        case(
            "distribution without dist",
            doc().reason("name = \"r\"\nhandle = { mean = \"4m\" }").text(),
            "reason[r].handle.dist",
            Line("handle = "),
            &["missing key `dist`", "exponential"],
        ),
        case(
            "uniform with max below min",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"uniform\", min = \"5m\", max = \"1m\" }")
                .text(),
            "reason[r].handle",
            Line("handle = "),
            &["max (60 s) is below min (300 s)"],
        ),
        case(
            "erlang with k = 0",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"erlang\", k = 0, mean = \"4m\" }")
                .text(),
            "reason[r].handle.k",
            Line("handle = "),
            &["0 is out of range"],
        ),
        case(
            "weibull shape too small",
            doc()
                .reason("name = \"r\"\nhandle = { dist = \"weibull\", shape = 0.01, mean = \"4m\" }")
                .text(),
            "reason[r].handle",
            Line("handle = "),
            &["shape 0.01 is too small"],
        ),
        // --- keys of the format this version does not model ---
        case(
            "[policy] unknown context",
            doc().extra("[policy]\ncontext = \"silo\"").text(),
            "policy.context",
            Line("context = "),
            &["unknown context \"silo\""],
        ),
        case(
            "include",
            doc().top("include = [\"no-such-common.toml\"]").text(),
            "include",
            Line("include = "),
            &["cannot read included file"],
        ),
        case(
            "persona.value negative",
            doc().persona("name = \"p\"\nvalue = -120.0").text(),
            "persona[p].value",
            Line("value = "),
            &["-120 is out of range"],
        ),
        case(
            "group.shifts",
            doc()
                .group("name = \"g\"\nagents = 3\nshifts = [{ start = \"08:00\", length = \"8h\", agents = 10 }]")
                .text(),
            "group[g].shifts",
            Line("shifts = "),
            &["both `agents` and `shifts` are given"],
        ),
        case(
            "reason.partner missing",
            doc()
                .reason(&format!("name = \"r\"\n{HANDLE}\npartner = \"courier\""))
                .text(),
            "reason[r].partner",
            Line("partner = "),
            &["no partner is named \"courier\""],
        ),
        case(
            "channels.chat stretch empty",
            doc()
                .extra("[channels.chat]\nhandle_stretch = []")
                .text(),
            "channels.chat.handle_stretch",
            Line("handle_stretch = "),
            &["no multipliers given"],
        ),
        case(
            "channels.phone.callback accept above 1",
            doc()
                .extra("[channels.phone]\ncallback = { offer_when_wait_over = \"5m\", accept = 1.5 }")
                .text(),
            "channels.phone.callback.accept",
            Line("callback = "),
            &["1.5"],
        ),
        case(
            "arrivals.file with a rate",
            doc().arrivals("rate = \"100/h\"\nfile = \"rates.csv\"").text(),
            "arrivals.file",
            Line("file = "),
            &["both `rate` and `file`"],
        ),
        case(
            "arrivals.file with a profile",
            doc()
                .arrivals(&format!("profile = {}\nfile = \"rates.csv\"", list(48, "\"100/h\"", None)))
                .text(),
            "arrivals.file",
            Line("file = \"rates.csv"),
            &["both `profile` and `file`"],
        ),
        case(
            "arrivals.file missing",
            doc().arrivals("file = \"no-such-rates.csv\"").text(),
            "arrivals.file",
            Line("file = "),
            &["no-such-rates.csv", "cannot read the file"],
        ),
        case(
            "a group serving self-service",
            doc()
                .group("name = \"g\"\nagents = 3\nchannels = [\"phone\", \"self_service\"]")
                .text(),
            "group[g].channels[1]",
            Line("channels = "),
            &["self_service has no agents"],
        ),
        case(
            "a persona choosing chat",
            doc()
                .persona("name = \"p\"\nchannels = { phone = 0.7, chat = 0.3 }")
                .text(),
            "group",
            Line("[[group]]"),
            &["customers get in touch by chat but no group serves it"],
        ),
        // --- syntax ---
        case(
            "truncated TOML string",
            doc().arrivals("rate = \"100/").text(),
            "arrivals",
            Line("rate = "),
            &["invalid TOML"],
        ),
        case(
            "truncated TOML header",
            format!("{}[[gro", doc().text()),
            "gro[0]",
            Nth("[[gro", 2),
            &["invalid TOML", "unclosed"],
        ),
        case(
            "duplicate TOML key",
            doc().group("name = \"g\"\nagents = 3\nagents = 4").text(),
            "group[0].agents",
            Line("agents = 4"),
            &["invalid TOML", "duplicate key"],
        ),
        Case {
            name: "JSON content in a .toml file",
            file: "case.toml",
            text: "{\"arrivals\": {\"rate\": \"100/h\"}}\n".into(),
            key: None,
            at: Number(1),
            needles: &["invalid TOML", "rename it to .json"],
        },
        Case {
            name: "TOML content in a .json file",
            file: "case.json",
            text: doc().text(),
            key: None,
            at: Number(1),
            needles: &["invalid JSON", "rename it to .toml"],
        },
        Case {
            name: "truncated JSON",
            file: "case.json",
            text: "{\"arrivals\": {\"rate\": \"100/h\"}, \"reason\": [{\"name\": \"r\"\n".into(),
            key: Some("reason[0]"),
            at: Number(2),
            needles: &["invalid JSON", "end of file"],
        },
        Case {
            name: "bare number in JSON",
            file: "case.json",
            text: concat!(
                "{\n",
                "  \"scenario\": { \"sl_threshold\": 20 },\n",
                "  \"arrivals\": { \"rate\": \"100/h\" },\n",
                "  \"reason\": [{ \"name\": \"r\", \"handle\": { \"dist\": \"exponential\", \"mean\": \"3m\" } }],\n",
                "  \"group\": [{ \"name\": \"g\", \"agents\": 1 }]\n",
                "}\n"
            )
            .into(),
            key: Some("scenario.sl_threshold"),
            at: Number(2),
            needles: &["bare number (20)", "\"20s\""],
        },
    ]
}

#[test]
fn malformed_inputs_are_located_and_explained() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let path = PathBuf::from(c.file);
        let diags = match load_at(&path, &c.text) {
            Ok(_) => {
                failures.push(format!("{}: loaded without error", c.name));
                continue;
            }
            Err(Error::Input(d)) => d,
            Err(e) => {
                failures.push(format!("{}: not an input error: {e:?}", c.name));
                continue;
            }
        };
        for d in &diags {
            let loc = d.location.as_ref();
            let ok = loc.is_some_and(|l| l.file == path && l.line >= 1 && l.column >= 1);
            if !ok || d.message.is_empty() {
                failures.push(format!("{}: badly located diagnostic {d:?}", c.name));
            }
        }
        let line = match c.at {
            At::Line(m) => line_of(&c.text, m, 1),
            At::Nth(m, n) => line_of(&c.text, m, n),
            At::Number(n) => n,
        };
        let hit = diags.iter().any(|d| {
            let text = d.to_string();
            c.key.is_none_or(|k| d.key_path == k)
                && d.location.as_ref().is_some_and(|l| l.line == line)
                && c.needles.iter().all(|n| text.contains(n))
        });
        if !hit {
            failures.push(format!(
                "{}: expected `{}` on line {line} containing {:?}; got:\n{}",
                c.name,
                c.key.unwrap_or("(any key)"),
                c.needles,
                render(&diags)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn all_problems_of_a_file_are_reported_together() {
    let text = doc()
        .scenario("name = \"case\"\nreplicatons = 3\nsl_threshold = 20")
        .reason("name = \"r\"\nresolve = 1.5")
        .group("name = \"g\"\nagents = -1")
        .text();
    let diags = diags_at(Path::new("case.toml"), &text);
    let keys: Vec<&str> = diags.iter().map(|d| d.key_path.as_str()).collect();
    for k in [
        "scenario.replicatons",
        "scenario.sl_threshold",
        "reason[r].resolve",
        "reason[r].handle",
        "group[g].agents",
    ] {
        assert!(keys.contains(&k), "missing {k} in {keys:?}");
    }
    let rendered = Error::Input(diags.clone()).to_string();
    assert!(
        rendered.contains(&format!("{} problems found", diags.len())),
        "{rendered}"
    );
}

#[test]
fn duplicate_names_point_back_to_the_first_definition() {
    let text = doc()
        .group("name = \"care\"\nagents = 5")
        .extra("[[group]]\nname = \"care\"\nagents = 3")
        .text();
    let first = line_of(&text, "[[group]]", 1);
    let diags = diags_at(Path::new("case.toml"), &text);
    let d = diags
        .iter()
        .find(|d| d.key_path == "group[care]")
        .expect("duplicate reported");
    assert!(
        d.message
            .contains(&format!("first defined on line {first}")),
        "{d}"
    );
}

/// A reason that no group can take is reported where the reason is written, not at 1:1.
#[test]
fn unreachable_reason_points_at_the_reason() {
    let text = doc()
        .group("name = \"g\"\nagents = 5\nskills = { billing = 1.0 }")
        .text();
    let diags = diags_at(Path::new("case.toml"), &text);
    let d = diags
        .iter()
        .find(|d| d.key_path == "reason[r].skill")
        .unwrap_or_else(|| panic!("no reason[r].skill diagnostic:\n{}", render(&diags)));
    assert!(d.message.contains("no group can take reason \"r\""), "{d}");
    let line = d.location.as_ref().map(|l| l.line);
    assert_eq!(
        line,
        Some(line_of(&text, "[[reason]]", 1)),
        "diagnostic points at the wrong line: {d}"
    );
}

/// Help lines for non-finite numbers must not suggest values that are themselves invalid.
#[test]
fn non_finite_numbers_get_usable_help() {
    for (text, key) in [
        (
            doc().scenario("name = \"case\"\nsl_threshold = nan").text(),
            "scenario.sl_threshold",
        ),
        (doc().arrivals("rate = inf").text(), "arrivals.rate"),
    ] {
        let diags = diags_at(Path::new("case.toml"), &text);
        let d = diags.iter().find(|d| d.key_path == key).expect(key);
        let help = d.help.clone().unwrap_or_default();
        for bad in ["\"NaNs\"", "\"NaNm\"", "\"inf/h\""] {
            assert!(!help.contains(bad), "help suggests {bad}: {d}");
        }
    }
}

/// The format says a bare number for a duration suggests the string form; `ivr` takes a duration.
#[test]
fn bare_ivr_suggests_the_string_form() {
    let text = doc().extra("[channels.phone]\nivr = 30").text();
    let diags = diags_at(Path::new("case.toml"), &text);
    let d = diags
        .iter()
        .find(|d| d.key_path == "channels.phone.ivr")
        .unwrap_or_else(|| panic!("{}", render(&diags)));
    assert_eq!(
        d.location.as_ref().map(|l| l.line),
        Some(line_of(&text, "ivr", 1))
    );
    assert!(d.to_string().contains("\"30s\""), "{d}");
}

/// A seed is a u64: the whole range loads, in TOML as an integer up to 2^63 − 1 and beyond it
/// as a bare integer or a string of digits, in JSON as a number; past 2^64 − 1 is an error.
#[test]
fn seeds_cover_the_whole_u64_range() {
    for body in [
        "seed = 18446744073709551615",
        "seed = \"18446744073709551615\"",
        "seed = 18_446_744_073_709_551_615",
    ] {
        let s = load(&doc().scenario(body).text());
        assert_eq!(s.seed, u64::MAX, "{body}");
    }
    assert_eq!(load(&doc().scenario("seed = 0").text()).seed, 0);
    let json = r#"{"scenario": {"seed": 18446744073709551615}, "arrivals": {"rate": "10/h"},
        "reason": [{"name": "r", "handle": {"dist": "constant", "value": "1m"}}],
        "group": [{"name": "g", "agents": 1}]}"#;
    let s = load_at(Path::new("case.json"), json).expect("a JSON u64 seed loads");
    assert_eq!(s.seed, u64::MAX);
    for bad in [
        "seed = \"18446744073709551616\"",
        "seed = -1",
        "seed = \"12ab\"",
    ] {
        let diags = diags_at(Path::new("case.toml"), &doc().scenario(bad).text());
        assert!(
            diags.iter().any(|d| d.key_path == "scenario.seed"),
            "{bad}: {}",
            render(&diags)
        );
    }
}

#[test]
fn empty_file_names_every_missing_section() {
    let diags = diags_at(Path::new("empty.toml"), "");
    let keys: Vec<&str> = diags.iter().map(|d| d.key_path.as_str()).collect();
    assert_eq!(keys, ["arrivals", "reason", "group"], "{}", render(&diags));
    let diags = diags_at(Path::new("empty.json"), "");
    assert!(diags[0].message.contains("empty"), "{}", render(&diags));
}

// ----- empirical distributions from CSV files -----

fn empirical_doc(file: &str, column: &str) -> String {
    doc()
        .reason(&format!(
            "name = \"r\"\nhandle = {{ dist = \"empirical\", file = \"{file}\", column = \"{column}\" }}"
        ))
        .text()
}

#[test]
fn empirical_distribution_reads_a_csv_relative_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/handle.csv"),
        "id,seconds\n1,100\n2,\"2m8s\"\n3, 250.5 \n4,\n",
    )
    .unwrap();
    let scenario_path = dir.path().join("scn.toml");
    let text = empirical_doc("data/handle.csv", "seconds");
    let s = match load_at(&scenario_path, &text) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    match &s.reasons[0].handle {
        Dist::Empirical { values, mean } => {
            assert_eq!(&values[..], &[100.0, 128.0, 250.5]);
            assert!((mean - 478.5 / 3.0).abs() < 1e-9, "mean {mean}");
        }
        other => panic!("expected an empirical distribution, got {other:?}"),
    }
}

#[test]
fn empirical_distribution_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.csv"), "seconds\n").unwrap();
    std::fs::write(dir.path().join("nothing.csv"), "").unwrap();
    std::fs::write(dir.path().join("other.csv"), "id,secs\n1,20\n").unwrap();
    std::fs::write(dir.path().join("bad.csv"), "seconds\n20\nabc\n").unwrap();
    std::fs::write(dir.path().join("neg.csv"), "seconds\n-3\n").unwrap();
    let scenario_path = dir.path().join("scn.toml");
    for (file, needle) in [
        ("empty.csv", "has no values"),
        ("nothing.csv", "the file is empty"),
        ("other.csv", "no column `seconds`"),
        ("missing.csv", "cannot read the file"),
        ("bad.csv", "line 3"),
        ("neg.csv", "line 2"),
    ] {
        let text = empirical_doc(file, "seconds");
        let diags = diags_at(&scenario_path, &text);
        let d = diags
            .iter()
            .find(|d| d.key_path == "reason[r].handle.file")
            .unwrap_or_else(|| panic!("{file}: {}", render(&diags)));
        let full = dir.path().join(file);
        assert!(
            d.message.contains(&full.display().to_string()),
            "{file}: {d}"
        );
        assert!(d.message.contains(needle), "{file}: {d}");
        assert_eq!(
            d.location.as_ref().map(|l| l.line),
            Some(line_of(&text, "handle = ", 1)),
            "{d}"
        );
    }
}

// ----- what loads, and how -----

#[test]
fn defaults_keep_small_files_small() {
    let text = "[arrivals]\nrate = \"100/h\"\n\n[[reason]]\nname = \"r\"\nhandle = { dist = \"exponential\", mean = \"3m\" }\n\n[[group]]\nname = \"g\"\nagents = 5\n";
    let s = load(text);
    assert_eq!(s.name, "case");
    assert_eq!(s.replications, 10);
    assert_eq!(s.seed, 1);
    assert_eq!(s.interval, 30 * MINUTE);
    assert_eq!(s.sl_threshold, 20 * TICKS_PER_SECOND);
    assert_eq!(s.drain, 7 * DAY);
    assert_eq!(s.horizon, DAY);
    assert_eq!(s.warmup, 0);
    assert_eq!(s.intervals_per_day(), 48);
    assert_eq!(s.arrivals.profile.len(), 48);
    assert!(
        s.arrivals
            .profile
            .iter()
            .all(|r| (r - 100.0 / 3600.0).abs() < 1e-12)
    );
    assert_eq!(s.arrivals.weekday_factors, [1.0; 7]);
    assert_eq!(s.personas.len(), 1);
    assert_eq!(s.personas[0].share, 1.0);
    assert!(
        s.personas[0].patience.iter().all(Option::is_none),
        "patience defaults to infinite"
    );
    assert_eq!(s.personas[0].persistence.retry, 0.0);
    assert_eq!(s.reasons[0].resolve, 1.0);
    assert!(s.reasons[0].wrapup.is_none());
    assert_eq!(s.reasons[0].skill, None);
    assert_eq!(s.groups[0].staffing, Staffing::Intervals(vec![5]));
    assert_eq!(s.groups[0].shrinkage, 0.0);
    assert_eq!(s.phone.lines, None);
    assert!(s.phone.ivr.is_none());
    assert!(s.routing.overflow.is_empty());
    assert_eq!(s.routing.levels, 1);
}

#[test]
fn shares_are_normalised() {
    let text = doc()
        .persona("name = \"a\"\nshare = 3")
        .reason(&format!("name = \"x\"\nshare = 2\n{HANDLE}"))
        .extra(&format!(
            "[[persona]]\nname = \"b\"\nshare = 1\n\n[[reason]]\nname = \"y\"\nshare = 2\n{HANDLE}\n\n[[reason]]\nname = \"z\"\nshare = 4\n{HANDLE}"
        ))
        .text();
    let s = load(&text);
    let ps: Vec<f64> = s.personas.iter().map(|p| p.share).collect();
    let rs: Vec<f64> = s.reasons.iter().map(|r| r.share).collect();
    assert_eq!(ps, [0.75, 0.25]);
    assert_eq!(rs, [0.25, 0.25, 0.5]);
    assert!((ps.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!((rs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn staffing_per_interval_is_accepted() {
    let staffing: Vec<u32> = (0..48).map(|i| i % 7 + 1).collect();
    let body = format!(
        "name = \"g\"\nstaffing = [{}]",
        staffing
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let s = load(&doc().group(&body).text());
    assert_eq!(s.groups[0].staffing, Staffing::Intervals(staffing.clone()));
    let at5 = s.groups[0].step_at(0, 5 * 30 * 60 * 1000);
    assert_eq!(at5.paid, staffing[5]);
    assert_eq!(at5.available, staffing[5]);
}

#[test]
fn durations_and_rates_with_decimals_and_units() {
    let text = doc()
        .scenario(
            "name = \"case\"\nsl_threshold = \"2.5s\"\nwarmup = \"1.5h\"\ndrain = \"1h30m\"\nhorizon = \"2d\"\ninterval = \"1.5h\"",
        )
        .arrivals(&format!("profile = {}", list(16, "\"16.7/m\"", Some((0, "\"0.28/s\"")))))
        .text();
    let s = load(&text);
    assert_eq!(s.sl_threshold, 2500);
    assert_eq!(s.warmup, 90 * MINUTE);
    assert_eq!(s.drain, 90 * MINUTE);
    assert_eq!(s.horizon, 2 * DAY);
    assert_eq!(s.interval, 90 * MINUTE);
    assert_eq!(s.arrivals.profile.len(), 16);
    assert!((s.arrivals.profile[0] - 0.28).abs() < 1e-12);
    assert!((s.arrivals.profile[1] - 16.7 / 60.0).abs() < 1e-12);
    let s = load(&doc().arrivals("rate = \"24000/d\"").text());
    assert!((s.arrivals.profile[0] - 24000.0 / 86400.0).abs() < 1e-12);
}

#[test]
fn patience_can_be_infinite() {
    let s = load(
        &doc()
            .persona("name = \"p\"\npatience = \"infinite\"")
            .text(),
    );
    assert!(s.personas[0].patience.iter().all(Option::is_none));
    let s = load(
        &doc()
            .persona("name = \"p\"\npatience = { phone = \"infinite\" }")
            .text(),
    );
    assert!(s.personas[0].patience.iter().all(Option::is_none));
    let s = load(
        &doc()
            .persona(
                "name = \"p\"\npatience = { phone = { dist = \"exponential\", mean = \"2m\" } }",
            )
            .text(),
    );
    assert!(s.personas[0].patience[0].is_some());
    // Only patience may be infinite.
    let diags = diags_at(
        Path::new("case.toml"),
        &doc().reason("name = \"r\"\nhandle = \"infinite\"").text(),
    );
    assert!(
        diags.iter().any(|d| d.key_path == "reason[r].handle"),
        "{}",
        render(&diags)
    );
}

#[test]
fn phone_routing_and_priorities_are_read() {
    let text = doc()
        .group("name = \"care\"\nagents = 5\nskills = { billing = 1.0 }")
        .reason(&format!("name = \"bill\"\nskill = \"billing\"\n{HANDLE}"))
        .persona("name = \"vip\"\nshare = 1")
        .extra(&format!(
            "[[persona]]\nname = \"std\"\nshare = 3\n\n[[reason]]\nname = \"tech\"\nskill = \"tech\"\n{HANDLE}\n\n[[group]]\nname = \"techs\"\nagents = 2\nskills = {{ tech = 1.0, billing = 0.5 }}\n\n[channels.phone]\nlines = 40\nivr = \"45s\"\n\n[routing]\npriorities = {{ vip = 1, tech = 2 }}\n\n[[routing.overflow]]\nfrom = \"care\"\nto = \"techs\"\nafter = \"90s\"\n"
        ))
        .text();
    let s = load(&text);
    assert_eq!(s.phone.lines, Some(40));
    match &s.phone.ivr {
        Some(Dist::Constant { value }) => assert_eq!(*value, 45.0),
        other => panic!("ivr: {other:?}"),
    }
    assert_eq!(s.skills, ["billing", "tech"]);
    assert_eq!(s.routing.overflow.len(), 1);
    let o = &s.routing.overflow[0];
    assert_eq!((o.from.0, o.to.0, o.after), (0, 1, 90 * TICKS_PER_SECOND));
    // vip (level 1) first, then tech (level 2), then everything else.
    assert_eq!(s.routing.levels, 3);
    assert_eq!(s.routing.priority, vec![vec![0, 0], vec![2, 1]]);
}

#[test]
fn json_with_the_same_structure_loads_the_same_scenario() {
    let toml = doc()
        .persona("name = \"p\"\npatience = { dist = \"lognormal\", mean = \"2m\", cv = 0.5 }")
        .text();
    let json = r#"{
  "scenario": { "name": "case", "replications": 2 },
  "arrivals": { "rate": "100/h" },
  "persona": [ { "name": "p", "patience": { "dist": "lognormal", "mean": "2m", "cv": 0.5 } } ],
  "reason": [ { "name": "r", "handle": { "dist": "exponential", "mean": "3m" } } ],
  "group": [ { "name": "g", "agents": 5 } ]
}"#;
    let a = load(&toml);
    let b = load_at(Path::new("case.json"), json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

/// An absurd arrival rate passes validation and then makes `ccsim run` spin forever (the
/// arrival clock stops advancing); it must be rejected when the file is loaded.
#[test]
fn absurd_arrival_rates_are_rejected() {
    for rate in ["1e300/h", "1e100/s"] {
        let text = doc().arrivals(&format!("rate = \"{rate}\"")).text();
        match load_at(Path::new("case.toml"), &text) {
            Ok(s) => panic!(
                "rate \"{rate}\" was accepted ({} per second)",
                s.arrivals.profile[0]
            ),
            Err(Error::Input(d)) => assert!(
                d.iter().any(|d| d.key_path == "arrivals.rate"),
                "{}",
                render(&d)
            ),
            Err(e) => panic!("{e:?}"),
        }
    }
}

/// A retry delay may be a plain duration, as a partner's delay may: a constant distribution,
/// the same as `{ dist = "constant", value = ... }`.
#[test]
fn a_retry_delay_may_be_a_plain_duration() {
    let plain = load(
        &doc()
            .persona("name = \"p\"\npersistence = { retry = 0.5, delay = \"2h\" }")
            .text(),
    );
    let table = load(
        &doc()
            .persona(
                "name = \"p\"\npersistence = { retry = 0.5, delay = { dist = \"constant\", value = \"2h\" } }",
            )
            .text(),
    );
    let (a, b) = (
        &plain.personas[0].persistence.delay,
        &table.personas[0].persistence.delay,
    );
    assert_eq!(a.mean(), 7200.0);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

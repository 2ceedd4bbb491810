//! New-issue arrivals: a Poisson process with a piecewise-constant rate (interval profile of a
//! day, a week or several weeks × weekday factor × gamma daily busyness), sampled exactly by
//! inverting the integrated rate.

use rand_distr::{Distribution, Exp1, Gamma};

use crate::rng::{SimRng, Stream, stream};
use crate::scenario::Scenario;
use crate::time::{DAY, Ticks};

/// Rate per tick of each slot of the cycle (`Arrivals::cycle_days`: a week, or the days of a
/// multi-week profile), Monday first: the profile's rate (a daily one repeated) times the
/// weekday factor. Computed as `rate / 1000 × factor`, the order the per-slot product always
/// had, so results do not depend on the profile's period.
fn cycle_rates(s: &Scenario) -> Vec<f64> {
    let a = &s.arrivals;
    let slots = a.slots_per_day();
    let days = a.cycle_days();
    let mut out = Vec::with_capacity(days * slots);
    for d in 0..days {
        for k in 0..slots {
            out.push(a.base_rate(d, k) / 1000.0 * a.weekday_factors[d % 7]);
        }
    }
    out
}

/// Generates the arrival times of new issues, in order.
pub struct ArrivalProcess {
    rng: SimRng,
    busyness_rng: SimRng,
    busyness: Option<Gamma<f64>>,
    /// Rate per tick for each slot of the cycle (Monday first), weekday factor included.
    cycle: Vec<f64>,
    interval: Ticks,
    window_start: Ticks,
    /// Current position of the process [ticks, fractional].
    t: f64,
    day: i64,
    day_factor: f64,
    /// The segment in force: rate per tick and its end (cached between arrivals).
    seg_rate: f64,
    seg_end: Ticks,
}

impl ArrivalProcess {
    /// The process for one replication; time 0 is the start of the warm-up.
    pub fn new(s: &Scenario, replication: u64) -> Self {
        let cv = s.arrivals.overdispersion;
        let busyness = (cv > 0.0)
            .then(|| Gamma::new(1.0 / (cv * cv), cv * cv).ok())
            .flatten();
        let mut p = ArrivalProcess {
            rng: stream(s.seed, replication, Stream::Arrivals),
            busyness_rng: stream(s.seed, replication, Stream::Busyness),
            busyness,
            cycle: cycle_rates(s),
            interval: s.interval,
            window_start: s.warmup,
            t: 0.0,
            day: i64::MIN,
            day_factor: 1.0,
            seg_rate: 0.0,
            seg_end: i64::MIN,
        };
        p.set_day(p.day_of(0));
        p
    }

    fn day_of(&self, t: Ticks) -> i64 {
        (t - self.window_start).div_euclid(DAY)
    }

    fn set_day(&mut self, day: i64) {
        // Draw one factor per day in order, so day d's factor does not depend on the rates.
        let first = self.day == i64::MIN;
        let steps = if first { 1 } else { (day - self.day).max(0) };
        for _ in 0..steps {
            if let Some(g) = &self.busyness {
                self.day_factor = g.sample(&mut self.busyness_rng);
            }
        }
        self.day = day;
    }

    /// Rate per tick in force at tick `t`, and the end of the segment it holds over.
    fn segment(&mut self, t: Ticks) -> (f64, Ticks) {
        let rel = t - self.window_start;
        let k = rel.div_euclid(self.interval);
        let end = self.window_start + (k + 1) * self.interval;
        let day = rel.div_euclid(DAY);
        if day != self.day {
            self.set_day(day);
        }
        // A day is a whole number of intervals, so slot k of the window is slot k mod the
        // cycle's slots (day 0 of the window is day 0 of the cycle, a Monday).
        let slot = k.rem_euclid(self.cycle.len() as i64) as usize;
        (self.cycle[slot] * self.day_factor, end)
    }

    /// The next arrival at or before `until`, or `None` if there is none by then.
    pub fn next(&mut self, until: Ticks) -> Option<Ticks> {
        let mut need: f64 = Exp1.sample(&mut self.rng);
        loop {
            // Floor without a libm call: t >= 0, so truncation is the floor.
            let now = self.t as Ticks;
            if now >= until {
                return None;
            }
            if now >= self.seg_end {
                (self.seg_rate, self.seg_end) = self.segment(now);
            }
            let (rate, end) = (self.seg_rate, self.seg_end);
            let room = (end as f64 - self.t) * rate;
            if rate > 0.0 && need <= room {
                self.t += need / rate;
                // Ceiling without a libm call (t >= 0).
                let mut at = self.t as Ticks;
                if (at as f64) < self.t {
                    at += 1;
                }
                return (at <= until).then_some(at);
            }
            need -= room.max(0.0);
            self.t = end as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;
    use std::path::Path;

    fn scenario(arrivals: &str) -> Scenario {
        let text = format!(
            "[scenario]\nhorizon = \"7d\"\n[arrivals]\n{arrivals}\n[[reason]]\nname = \"r\"\nhandle = {{ dist = \"constant\", value = \"1m\" }}\n[[group]]\nname = \"g\"\nagents = 1\n"
        );
        load_str(Path::new("t.toml"), text, "t").expect("valid test scenario")
    }

    #[test]
    fn constant_rate_gives_the_right_count() {
        let s = scenario("rate = \"3600/h\"");
        let mut p = ArrivalProcess::new(&s, 0);
        let n = std::iter::from_fn(|| p.next(DAY)).count() as f64;
        assert!((n - 86_400.0).abs() < 4.0 * 86_400f64.sqrt(), "{n}");
    }

    #[test]
    fn profile_and_weekday_factors_shape_the_counts() {
        let mut prof = vec!["0/h"; 24];
        prof[9] = "1000/h";
        let text = format!(
            "[scenario]\nhorizon = \"7d\"\ninterval = \"1h\"\n[arrivals]\nprofile = [{}]\nweekday_factors = [1, 1, 1, 1, 1, 0, 0]\n[[reason]]\nname = \"r\"\nhandle = {{ dist = \"constant\", value = \"1m\" }}\n[[group]]\nname = \"g\"\nagents = 1\n",
            prof.iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        let s = load_str(Path::new("t.toml"), text, "t").expect("valid");
        let mut p = ArrivalProcess::new(&s, 0);
        let times: Vec<Ticks> = std::iter::from_fn(|| p.next(7 * DAY)).collect();
        assert!(times.iter().all(|t| (t % DAY) / (DAY / 24) == 9));
        assert!(times.iter().all(|t| t / DAY < 5));
        assert!((times.len() as f64 - 5000.0).abs() < 300.0);
    }

    #[test]
    fn zero_rate_terminates() {
        let s = scenario("rate = \"0/h\"");
        let mut p = ArrivalProcess::new(&s, 0);
        assert_eq!(p.next(30 * DAY), None);
    }
}

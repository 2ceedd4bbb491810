//! Exact steady-state queueing formulas: independent validation reference and Erlang calculators.

/// Erlang B blocking probability for `agents` servers and offered load `a` Erlangs.
///
/// Erlang (1917), computed with the stable recursion B(0) = 1,
/// B(k) = a·B(k−1) / (k + a·B(k−1)); no factorials or powers, so it is exact to
/// rounding for thousands of agents and loads of 10 000 Erlangs or more.
/// A load `a <= 0` gives 0 (1 with no agents); a NaN load gives NaN.
pub fn erlang_b(agents: u32, a: f64) -> f64 {
    if a.is_nan() {
        return f64::NAN;
    }
    if a <= 0.0 {
        return if agents == 0 { 1.0 } else { 0.0 };
    }
    if a.is_infinite() {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=agents {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
    }
    b
}

/// Erlang C probability of waiting (a < agents, else 1.0).
///
/// Erlang (1917): C = c·B / (c − a·(1 − B)), with B the Erlang B value of
/// [`erlang_b`]. A load `a <= 0` gives 0; a NaN load gives NaN.
pub fn erlang_c(agents: u32, a: f64) -> f64 {
    if a.is_nan() {
        return f64::NAN;
    }
    if a <= 0.0 {
        return if agents == 0 { 1.0 } else { 0.0 };
    }
    let c = f64::from(agents);
    if a >= c {
        return 1.0;
    }
    let b = erlang_b(agents, a);
    c * b / (c - a * (1.0 - b))
}

/// Steady-state measures of a queue, as the simulator reports them.
///
/// All shares are fractions of all arrivals unless stated otherwise; times are
/// in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueMeasures {
    /// Share of arrivals finding all agents busy.
    pub p_wait: f64,
    /// Share of arrivals that abandon (0 without patience).
    pub p_abandon: f64,
    /// Mean wait of answered customers, zero waits included.
    pub asa_s: f64,
    /// Mean time in queue over all arrivals (abandoners count their patience).
    pub mean_wait_s: f64,
    /// (Answered with wait <= threshold) / all arrivals.
    pub service_level: f64,
    /// Time-average share of agents busy.
    pub occupancy: f64,
}

/// Checks that `x` is finite and strictly positive.
fn positive(name: &str, x: f64) -> Result<f64, String> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(format!("{name} must be finite and > 0, got {x}"))
    }
}

/// Checks the arguments shared by the M/M/c-type models.
fn check_common(lambda: f64, mean_service: f64, agents: u32, t: f64) -> Result<(), String> {
    positive("arrival rate", lambda)?;
    positive("mean service time", mean_service)?;
    if agents == 0 {
        return Err("agents must be at least 1".to_string());
    }
    if !(t.is_finite() && t >= 0.0) {
        return Err(format!(
            "service-level threshold must be finite and >= 0, got {t}"
        ));
    }
    Ok(())
}

/// M/M/c (Erlang C). Err(String) if unstable (λ >= cμ) or inputs are not finite/positive.
///
/// Erlang (1917): p_wait = C(c, a) with a = λ/μ; the wait given waiting is
/// exponential with rate cμ − λ, so ASA = mean wait = C/(cμ − λ) and the
/// service level is 1 − C·exp(−(cμ − λ)·T); occupancy is λ/(cμ).
/// `lambda` is per second, `mean_service` and `sl_threshold` in seconds.
pub fn mmc(
    lambda: f64,
    mean_service: f64,
    agents: u32,
    sl_threshold: f64,
) -> Result<QueueMeasures, String> {
    check_common(lambda, mean_service, agents, sl_threshold)?;
    let c_mu = f64::from(agents) / mean_service;
    if lambda >= c_mu {
        return Err(format!("unstable M/M/c: λ = {lambda} >= cμ = {c_mu}"));
    }
    let p_wait = erlang_c(agents, lambda * mean_service);
    let gap = c_mu - lambda;
    let asa_s = p_wait / gap;
    Ok(QueueMeasures {
        p_wait,
        p_abandon: 0.0,
        asa_s,
        mean_wait_s: asa_s,
        service_level: 1.0 - p_wait * (-gap * sl_threshold).exp(),
        occupancy: lambda / c_mu,
    })
}

/// Largest number of states the Erlang A chain may use before giving up.
const MAX_STATES: usize = 50_000_000;

/// Stationary distribution of the M/M/c+M birth-death chain (Garnett, Mandelbaum & Reiman 2002).
///
/// Birth rate λ, death rate min(n, c)·μ + max(n − c, 0)·θ. Weights are built
/// in log space (no overflow at 10 000 Erlangs) and the chain is truncated
/// once the geometric bound on the remaining tail is below e^−60 of the peak.
fn erlang_a_stationary(lambda: f64, mu: f64, theta: f64, c: usize) -> Result<Vec<f64>, String> {
    let min_states = c + 50 + (20.0 * (lambda / mu).sqrt()) as usize;
    let death = |n: usize| n.min(c) as f64 * mu + n.saturating_sub(c) as f64 * theta;
    let mut logw = vec![0.0_f64];
    let mut peak = 0.0_f64;
    let mut n = 0_usize;
    loop {
        let r_next = lambda / death(n + 1);
        if n >= min_states && n > c && r_next < 1.0 {
            let tail = logw[n] + (r_next / (1.0 - r_next)).ln();
            if tail - peak < -60.0 {
                break;
            }
        }
        if n >= MAX_STATES {
            return Err(format!(
                "Erlang A chain needs more than {MAX_STATES} states"
            ));
        }
        let next = logw[n] + r_next.ln();
        peak = peak.max(next);
        logw.push(next);
        n += 1;
    }
    let mut pi: Vec<f64> = logw.iter().map(|&l| (l - peak).exp()).collect();
    let total: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|p| *p /= total);
    Ok(pi)
}

/// Poisson(x) probabilities for k = 0..=k_hi, normalised over the support kept.
///
/// Fox & Glynn (1988) style: start at the mode with weight 1 and recurse
/// outwards by ratios, so nothing underflows even for x in the tens of thousands.
fn poisson_weights(x: f64) -> Vec<f64> {
    let spread = 12.0 * x.sqrt() + 30.0;
    let k_hi = (x + spread).ceil() as usize;
    let mode = (x.floor() as usize).min(k_hi);
    let mut w = vec![0.0_f64; k_hi + 1];
    w[mode] = 1.0;
    for k in (0..mode).rev() {
        w[k] = w[k + 1] * (k + 1) as f64 / x;
        if w[k] < 1e-300 {
            break;
        }
    }
    for k in mode + 1..=k_hi {
        w[k] = w[k - 1] * x / k as f64;
    }
    let total: f64 = w.iter().sum();
    w.iter_mut().for_each(|p| *p /= total);
    w
}

/// Probability that a tagged waiting customer is served within `t` seconds.
///
/// `mass[i]` is the probability of arriving at queue position i + 1 (i customers
/// ahead). At position i the customer moves up at rate cμ + (i − 1)θ (head
/// served or someone ahead abandons) and abandons at rate θ; from position 1 a
/// move means service. The pure-death chain is solved exactly by
/// uniformization (Jensen 1953) at rate Λ = cμ + Jθ, which keeps every term
/// non-negative; the result is the hypoexponential CDF weighted by P(served).
fn served_within(mass: &[f64], c_mu: f64, theta: f64, t: f64) -> f64 {
    let positions = mass.len();
    if positions == 0 || t <= 0.0 {
        return 0.0;
    }
    let rate = c_mu + positions as f64 * theta;
    // Index i is position i + 1: stay = (Λ − cμ − (i + 1)θ)/Λ, up = (cμ + iθ)/Λ.
    let stay: Vec<f64> = (0..positions)
        .map(|i| (positions - i - 1) as f64 * theta / rate)
        .collect();
    let up: Vec<f64> = (0..positions)
        .map(|i| (c_mu + i as f64 * theta) / rate)
        .collect();
    let weights = poisson_weights(rate * t);
    let mut v = mass.to_vec();
    let mut served = 0.0;
    let mut result = 0.0;
    for &w in &weights[1..] {
        served += v[0] * up[0];
        for i in 0..positions - 1 {
            v[i] = v[i] * stay[i] + v[i + 1] * up[i + 1];
        }
        v[positions - 1] *= stay[positions - 1];
        result += w * served;
    }
    result
}

/// M/M/c+M (Erlang A) with exponential patience of mean `mean_patience`
/// (may be `f64::INFINITY`, which is the same as [`mmc`]).
///
/// Garnett, Mandelbaum & Reiman (2002), "Designing a call center with
/// impatient customers", solved exactly from the birth-death chain (see
/// `erlang_a_stationary`). With π the stationary law, θ = 1/patience and PASTA:
/// p_wait = Σ_{n>=c} π_n, p_abandon = θ·E[(N−c)+]/λ, mean_wait = E[(N−c)+]/λ.
/// An arrival with j waiting ahead is served with probability
/// S_j = Π_{i=1}^{j+1} (cμ + (i−1)θ)/(cμ + iθ), after a hypoexponential wait with
/// rates cμ + iθ, i = 1..j+1; this gives ASA = E[W·1{served}]/P(served) and
/// the service level (immediate answers plus Σ_j π_{c+j}·P(served, W <= T | j)).
/// Occupancy is λ(1 − p_abandon)/(cμ). Err on non-positive or non-finite inputs.
pub fn mmc_m(
    lambda: f64,
    mean_service: f64,
    mean_patience: f64,
    agents: u32,
    sl_threshold: f64,
) -> Result<QueueMeasures, String> {
    if mean_patience == f64::INFINITY {
        return mmc(lambda, mean_service, agents, sl_threshold);
    }
    check_common(lambda, mean_service, agents, sl_threshold)?;
    let theta = 1.0 / positive("mean patience", mean_patience)?;
    let mu = 1.0 / mean_service;
    let c = agents as usize;
    let pi = erlang_a_stationary(lambda, mu, theta, c)?;
    let c_mu = f64::from(agents) * mu;
    let (free, queued) = pi.split_at(c);
    let p_free: f64 = free.iter().sum();
    let p_wait: f64 = queued.iter().sum();
    let mean_queue: f64 = queued.iter().enumerate().map(|(j, p)| j as f64 * p).sum();
    let p_abandon = theta * mean_queue / lambda;
    // Served-after-waiting terms, position by position.
    let (mut s, mut inv_rates) = (1.0_f64, 0.0_f64);
    let (mut p_served, mut wait_served, mut last) = (0.0_f64, 0.0_f64, 0_usize);
    for (j, &p) in queued.iter().enumerate() {
        let beta = c_mu + (j + 1) as f64 * theta;
        s *= (c_mu + j as f64 * theta) / beta;
        inv_rates += 1.0 / beta;
        p_served += p * s;
        wait_served += p * s * inv_rates;
        if p * s > 1e-20 {
            last = j + 1;
        }
    }
    let answered = p_free + p_served;
    let sl_queue = served_within(&queued[..last], c_mu, theta, sl_threshold);
    Ok(QueueMeasures {
        p_wait: p_wait.min(1.0),
        p_abandon: p_abandon.min(1.0),
        asa_s: wait_served / answered,
        mean_wait_s: mean_queue / lambda,
        service_level: (p_free + sl_queue).clamp(0.0, 1.0),
        occupancy: lambda * (1.0 - p_abandon) / c_mu,
    })
}

/// Erlang B loss system: (p_block, carried_erlangs).
///
/// Erlang (1917); insensitive to the service-time distribution beyond its
/// mean (Sevastyanov 1957). Carried load is a·(1 − B) with a = λ·mean_service.
/// Invalid inputs (non-finite, negative, or no agents) give NaN values.
pub fn mmcc(lambda: f64, mean_service: f64, agents: u32) -> (f64, f64) {
    let valid = lambda.is_finite() && lambda >= 0.0 && mean_service.is_finite();
    if !valid || mean_service < 0.0 || agents == 0 {
        return (f64::NAN, f64::NAN);
    }
    let a = lambda * mean_service;
    let b = erlang_b(agents, a);
    (b, a * (1.0 - b))
}

/// Pollaczek-Khinchine for M/G/1: (mean_wait_s, mean_queue_len) given mean service m
/// and its cv. Err if ρ >= 1.
///
/// Pollaczek (1930), Khinchine (1932): W = λ·E[S²]/(2(1 − ρ)) with
/// E[S²] = (1 + cv²)·m² and ρ = λm; the mean queue length (excluding anyone in
/// service) is λ·W by Little's law.
pub fn mg1(lambda: f64, mean_service: f64, cv: f64) -> Result<(f64, f64), String> {
    positive("arrival rate", lambda)?;
    positive("mean service time", mean_service)?;
    if !(cv.is_finite() && cv >= 0.0) {
        return Err(format!("service cv must be finite and >= 0, got {cv}"));
    }
    let rho = lambda * mean_service;
    if rho >= 1.0 {
        return Err(format!("unstable M/G/1: ρ = {rho} >= 1"));
    }
    let second_moment = (1.0 + cv * cv) * mean_service * mean_service;
    let wait = lambda * second_moment / (2.0 * (1.0 - rho));
    Ok((wait, lambda * wait))
}

/// Two-class non-preemptive priority M/M/c (Cobham): (wait1_s, wait2_s) =
/// (W0/(1−σ1), W0/((1−σ1)(1−σ))).
///
/// Cobham (1954), "Priority assignment in waiting line problems", for c
/// identical exponential servers shared by both classes: while all agents are
/// busy, departures form a Poisson stream of rate cμ, so the mean residual work
/// an arrival must see cleared is W0 = C(c, λ/μ)/(cμ), with C the Erlang C
/// value of the total load. Class k then waits W0/((1 − σ_{k−1})(1 − σ_k)),
/// where σ_k is the load share of classes 1..k: σ1 = λ1/(cμ), σ = (λ1 + λ2)/(cμ).
/// Err if unstable or on non-finite, negative or all-zero rates.
pub fn priority_mmc(
    lambda1: f64,
    lambda2: f64,
    mean_service: f64,
    agents: u32,
) -> Result<(f64, f64), String> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !ok(lambda1) || !ok(lambda2) {
        return Err(format!(
            "class rates must be finite and >= 0, got {lambda1}, {lambda2}"
        ));
    }
    let lambda = lambda1 + lambda2;
    check_common(lambda, mean_service, agents, 0.0)?;
    let c_mu = f64::from(agents) / mean_service;
    if lambda >= c_mu {
        return Err(format!("unstable M/M/c: λ = {lambda} >= cμ = {c_mu}"));
    }
    let w0 = erlang_c(agents, lambda * mean_service) / c_mu;
    let sigma1 = lambda1 / c_mu;
    let sigma = lambda / c_mu;
    Ok((w0 / (1.0 - sigma1), w0 / ((1.0 - sigma1) * (1.0 - sigma))))
}

/// Upper bound (exclusive) on the staffing searched by [`agents_for_service_level`].
const MAX_AGENTS: u32 = 100_000;

/// Smallest number of agents meeting a service-level target (share answered within
/// `threshold`) with optional exponential patience (None = Erlang C), and optional max
/// occupancy. Returns None if not reachable below 100_000 agents.
///
/// Uses [`mmc`] (Erlang 1917) or [`mmc_m`] (Garnett, Mandelbaum & Reiman 2002)
/// and relies on the service level rising and the occupancy falling with the
/// number of agents: a doubling search brackets the answer and bisection finds
/// the smallest staffing meeting both constraints. Invalid inputs give None.
pub fn agents_for_service_level(
    lambda: f64,
    mean_service: f64,
    mean_patience: Option<f64>,
    threshold: f64,
    target: f64,
    max_occupancy: Option<f64>,
) -> Option<u32> {
    let valid = |x: f64| x.is_finite() && x > 0.0;
    if !valid(lambda) || !valid(mean_service) || target.is_nan() {
        return None;
    }
    if max_occupancy.is_some_and(f64::is_nan) {
        return None;
    }
    let meets = |c: u32| {
        let m = match mean_patience {
            None => mmc(lambda, mean_service, c, threshold),
            Some(p) => mmc_m(lambda, mean_service, p, c, threshold),
        };
        m.is_ok_and(|m| {
            m.service_level >= target && max_occupancy.is_none_or(|max| m.occupancy <= max)
        })
    };
    let top = MAX_AGENTS - 1;
    let a = lambda * mean_service;
    let (mut lo, mut hi) = (0_u32, (a.floor().clamp(1.0, f64::from(top))) as u32);
    while !meets(hi) {
        if hi == top {
            return None;
        }
        lo = hi;
        hi = hi.saturating_mul(2).min(top);
    }
    // Invariant: `lo` fails (0 is never valid), `hi` meets.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if meets(mid) { hi = mid } else { lo = mid }
    }
    Some(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ERLANG_C: &str = include_str!("../tests/validation/erlang_c.csv");
    const ERLANG_A: &str = include_str!("../tests/validation/erlang_a.csv");
    const ERLANG_B: &str = include_str!("../tests/validation/erlang_b.csv");
    const MG1: &str = include_str!("../tests/validation/mg1_pk.csv");
    const PRIORITY: &str = include_str!("../tests/validation/priority_mmc.csv");

    /// Data rows of a CSV as (case name, all fields).
    fn rows(csv: &str) -> Vec<(String, Vec<String>)> {
        csv.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let f: Vec<String> = l.split(',').map(|s| s.trim().to_string()).collect();
                (f[0].clone(), f)
            })
            .collect()
    }

    fn num(f: &[String], i: usize) -> f64 {
        f[i].parse().expect("numeric field")
    }

    /// Tracks the worst relative error of a table; fails on 1e-6 relative (1e-9 absolute near 0).
    #[derive(Default)]
    struct Checker {
        worst: Vec<(&'static str, f64)>,
        failures: Vec<String>,
    }

    impl Checker {
        fn check(&mut self, case: &str, what: &'static str, got: f64, want: f64) {
            let abs = (got - want).abs();
            let rel = abs / want.abs().max(f64::MIN_POSITIVE);
            match self.worst.iter_mut().find(|(w, _)| *w == what) {
                Some((_, worst)) => *worst = worst.max(rel),
                None => self.worst.push((what, rel)),
            }
            if !(rel <= 1e-6 || abs <= 1e-9) {
                self.failures.push(format!(
                    "{case} {what}: got {got:.10e}, want {want:.10e}, rel {rel:.2e}"
                ));
            }
        }

        fn finish(self, table: &str, n: usize) {
            let cols: Vec<String> = self
                .worst
                .iter()
                .map(|(w, e)| format!("{w} {e:.1e}"))
                .collect();
            println!("{table}: {n} rows, max relative error: {}", cols.join(", "));
            assert!(
                self.failures.is_empty(),
                "{table}:\n{}",
                self.failures.join("\n")
            );
        }
    }

    #[test]
    fn erlang_c_table() {
        let mut ck = Checker::default();
        let rows = rows(ERLANG_C);
        for (case, f) in &rows {
            let c = num(f, 3) as u32;
            let m = mmc(num(f, 1) / 3600.0, num(f, 2), c, num(f, 4)).expect("stable");
            ck.check(case, "p_wait", m.p_wait, num(f, 5));
            ck.check(case, "asa_s", m.asa_s, num(f, 6));
            ck.check(case, "service_level", m.service_level, num(f, 7));
            ck.check(case, "occupancy", m.occupancy, num(f, 8));
        }
        ck.finish("erlang_c", rows.len());
    }

    #[test]
    fn erlang_a_table() {
        let mut ck = Checker::default();
        let rows = rows(ERLANG_A);
        for (case, f) in &rows {
            let c = num(f, 4) as u32;
            let m = mmc_m(num(f, 1) / 3600.0, num(f, 2), num(f, 3), c, num(f, 5)).expect("ok");
            ck.check(case, "p_wait", m.p_wait, num(f, 6));
            ck.check(case, "p_abandon", m.p_abandon, num(f, 7));
            ck.check(case, "asa_s", m.asa_s, num(f, 8));
            ck.check(case, "mean_wait_s", m.mean_wait_s, num(f, 9));
            ck.check(case, "service_level", m.service_level, num(f, 10));
            ck.check(case, "occupancy", m.occupancy, num(f, 11));
        }
        ck.finish("erlang_a", rows.len());
    }

    #[test]
    fn erlang_b_table() {
        let mut ck = Checker::default();
        let rows = rows(ERLANG_B);
        for (case, f) in &rows {
            let (b, carried) = mmcc(num(f, 1) / 3600.0, num(f, 2), num(f, 3) as u32);
            ck.check(case, "p_block", b, num(f, 4));
            ck.check(case, "carried_erlangs", carried, num(f, 5));
        }
        ck.finish("erlang_b", rows.len());
    }

    #[test]
    fn mg1_table() {
        let mut ck = Checker::default();
        let rows = rows(MG1);
        for (case, f) in &rows {
            let (w, lq) = mg1(num(f, 1) / 3600.0, num(f, 3), num(f, 4)).expect("stable");
            ck.check(case, "mean_wait_s", w, num(f, 5));
            ck.check(case, "mean_queue_len", lq, num(f, 6));
        }
        ck.finish("mg1_pk", rows.len());
    }

    #[test]
    fn priority_table() {
        let mut ck = Checker::default();
        let rows = rows(PRIORITY);
        for (case, f) in &rows {
            let (l1, l2) = (num(f, 1) / 3600.0, num(f, 2) / 3600.0);
            let (w1, w2) = priority_mmc(l1, l2, num(f, 3), num(f, 4) as u32).expect("stable");
            ck.check(case, "wait1_s", w1, num(f, 5));
            ck.check(case, "wait2_s", w2, num(f, 6));
        }
        ck.finish("priority_mmc", rows.len());
    }

    #[test]
    fn erlang_b_and_c_edge_cases_and_scale() {
        assert_eq!(erlang_b(0, 3.0), 1.0);
        assert_eq!(erlang_b(3, 0.0), 0.0);
        assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-15);
        assert_eq!(erlang_c(10, 10.0), 1.0);
        assert_eq!(erlang_c(10, 12.0), 1.0);
        assert!(erlang_b(3, f64::NAN).is_nan());
        // Large systems: finite, in range, and no overflow.
        let b = erlang_b(5000, 10_000.0);
        assert!((b - 0.5001).abs() < 1e-3, "{b}");
        let c = erlang_c(5000, 4999.0);
        assert!(c > 0.9 && c < 1.0, "{c}");
        // Erlang B at 5000 agents, 5000 Erlangs is about sqrt(2/(π·a)).
        let b = erlang_b(5000, 5000.0);
        assert!((b - 0.0112).abs() < 2e-4, "{b}");
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert!(mmc(1.0, 10.0, 5, 20.0).is_err(), "unstable");
        assert!(mmc(f64::NAN, 10.0, 5, 20.0).is_err());
        assert!(mmc(0.1, 10.0, 0, 20.0).is_err());
        assert!(mmc(0.1, 10.0, 5, -1.0).is_err());
        assert!(mmc_m(0.1, 10.0, 0.0, 5, 20.0).is_err());
        assert!(mmc_m(0.1, 10.0, f64::NAN, 5, 20.0).is_err());
        assert!(mg1(0.2, 5.0, 1.0).is_err(), "ρ = 1");
        assert!(mg1(0.1, 5.0, -1.0).is_err());
        assert!(priority_mmc(0.5, 0.5, 10.0, 10).is_err(), "ρ = 1");
        assert!(priority_mmc(-0.1, 0.5, 10.0, 10).is_err());
        assert!(mmcc(f64::NAN, 10.0, 3).0.is_nan());
    }

    #[test]
    fn erlang_a_is_self_consistent() {
        for (l, m, p, c, t) in [
            (0.05, 180.0, 120.0, 10, 20.0),
            (0.5, 180.0, 60.0, 60, 10.0),
            (1.0, 300.0, 600.0, 250, 30.0),
            (10_000.0 / 180.0, 180.0, 180.0, 5000, 20.0),
        ] {
            let q = mmc_m(l, m, p, c, t).expect("valid");
            // Abandonment two ways: θ·E[queue]/λ and 1 − P(answered).
            let answered = q.occupancy * f64::from(c) / (l * m);
            assert!((answered - (1.0 - q.p_abandon)).abs() < 1e-12);
            let abandon_wait = q.mean_wait_s - q.asa_s * (1.0 - q.p_abandon);
            assert!(abandon_wait >= -1e-12, "abandoners wait >= 0");
            for v in [q.p_wait, q.p_abandon, q.service_level, q.occupancy] {
                assert!((0.0..=1.0).contains(&v), "{q:?}");
            }
            // The service level rises with the threshold.
            let longer = mmc_m(l, m, p, c, 2.0 * t + 1.0).expect("valid");
            assert!(longer.service_level >= q.service_level);
        }
    }

    #[test]
    fn erlang_a_tends_to_erlang_c() {
        let (l, m, c, t) = (0.25, 180.0, 50, 20.0);
        let exact = mmc(l, m, c, t).expect("stable");
        assert_eq!(mmc_m(l, m, f64::INFINITY, c, t), Ok(exact));
        let patient = mmc_m(l, m, 1e9, c, t).expect("valid");
        assert!((patient.p_wait - exact.p_wait).abs() < 1e-6);
        assert!((patient.asa_s - exact.asa_s).abs() < 1e-4 * exact.asa_s);
        assert!((patient.service_level - exact.service_level).abs() < 1e-6);
    }

    /// 1 − Σ_i Π_{j≠i} β_j/(β_j − β_i) e^{−β_i t}, fine for a few well-separated rates.
    fn hypoexponential_cdf(rates: &[f64], t: f64) -> f64 {
        let tail: f64 = rates
            .iter()
            .enumerate()
            .map(|(i, &bi)| {
                let coef: f64 = rates
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, &bj)| bj / (bj - bi))
                    .product();
                coef * (-bi * t).exp()
            })
            .sum();
        1.0 - tail
    }

    #[test]
    fn uniformization_matches_hypoexponential() {
        let (c_mu, theta) = (0.2, 0.05);
        for positions in 1..=4 {
            let mut mass = vec![0.0; positions];
            mass[positions - 1] = 1.0;
            let rates: Vec<f64> = (1..=positions).map(|i| c_mu + i as f64 * theta).collect();
            let p_served: f64 = rates.iter().map(|b| (b - theta) / b).product();
            for t in [0.5, 3.0, 10.0, 40.0] {
                let want = p_served * hypoexponential_cdf(&rates, t);
                let got = served_within(&mass, c_mu, theta, t);
                let err = (got - want).abs();
                assert!(
                    err < 1e-13 || err < 1e-10 * want,
                    "{positions} {t}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn staffing_matches_a_linear_scan() {
        let cases = [
            (0.3, 180.0, None, 20.0, 0.8, None),
            (0.3, 180.0, Some(120.0), 20.0, 0.8, None),
            (0.3, 180.0, Some(120.0), 20.0, 0.5, Some(0.85)),
            (2.0, 240.0, Some(300.0), 30.0, 0.9, None),
            (2.0, 240.0, None, 30.0, 0.95, Some(0.97)),
        ];
        for (l, m, p, t, target, occ) in cases {
            let scan = (1..2000).find(|&c| {
                let q = match p {
                    None => mmc(l, m, c, t),
                    Some(p) => mmc_m(l, m, p, c, t),
                };
                q.is_ok_and(|q| q.service_level >= target && occ.is_none_or(|o| q.occupancy <= o))
            });
            assert_eq!(agents_for_service_level(l, m, p, t, target, occ), scan);
        }
        assert_eq!(
            agents_for_service_level(0.3, 180.0, None, 20.0, 1.5, None),
            None
        );
        assert_eq!(
            agents_for_service_level(f64::NAN, 180.0, None, 20.0, 0.8, None),
            None
        );
        let big = agents_for_service_level(10_000.0 / 180.0, 180.0, Some(180.0), 20.0, 0.8, None);
        assert!(big.is_some_and(|c| c > 9000 && c < 10_500), "{big:?}");
    }
}

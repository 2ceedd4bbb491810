//! Duration distributions of the format (exponential, lognormal, gamma, erlang, weibull, uniform,
//! constant, empirical), validated on construction and sampled in ticks.

use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, Weibull};

use crate::rng::uniform01;
use crate::time::{Ticks, secs_to_ticks};

/// A validated distribution of durations. Parameters are held in seconds.
#[derive(Debug, Clone)]
pub enum Dist {
    /// Exponential with the given mean [s].
    Exponential {
        /// Mean [s].
        mean: f64,
    },
    /// Lognormal with parameters of the underlying normal.
    LogNormal {
        /// Mean of ln X.
        mu: f64,
        /// Standard deviation of ln X.
        sigma: f64,
        /// Mean [s], kept for reporting.
        mean: f64,
    },
    /// Gamma (Erlang when the shape is a whole number).
    Gamma {
        /// The sampler (shape, scale in seconds).
        sampler: Gamma<f64>,
        /// Mean [s].
        mean: f64,
    },
    /// Weibull.
    Weibull {
        /// The sampler (scale in seconds, shape).
        sampler: Weibull<f64>,
        /// Mean [s].
        mean: f64,
    },
    /// Uniform on [min, max] [s].
    Uniform {
        /// Lower end [s].
        min: f64,
        /// Upper end [s].
        max: f64,
    },
    /// Always the same value [s].
    Constant {
        /// The value [s].
        value: f64,
    },
    /// Resampled from observed values [s] (each observation equally likely).
    Empirical {
        /// Observed values [s], in file order.
        values: Arc<[f64]>,
        /// Their mean [s].
        mean: f64,
    },
}

/// Largest coefficient of variation accepted: beyond it samples are numerically degenerate.
pub const MAX_CV: f64 = 20.0;

fn cv_in_range(cv: f64) -> Result<f64, String> {
    let cv = non_negative("cv", cv)?;
    if cv > MAX_CV {
        return Err(format!(
            "cv {cv} is more than ccsim can sample faithfully; use at most {MAX_CV}"
        ));
    }
    Ok(cv)
}

fn positive(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{name} must be a finite number above 0, found {v}"))
    }
}

fn non_negative(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "{name} must be a finite number of 0 or more, found {v}"
        ))
    }
}

impl Dist {
    /// Exponential with mean `mean` [s].
    pub fn exponential(mean: f64) -> Result<Self, String> {
        Ok(Dist::Exponential {
            mean: positive("mean", mean)?,
        })
    }

    /// Lognormal with mean [s] and coefficient of variation: σ² = ln(1+cv²), μ = ln m − σ²/2.
    pub fn lognormal(mean: f64, cv: f64) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        let cv = cv_in_range(cv)?;
        if cv == 0.0 {
            return Ok(Dist::Constant { value: mean });
        }
        let s2 = (1.0 + cv * cv).ln();
        Ok(Dist::LogNormal {
            mu: mean.ln() - s2 / 2.0,
            sigma: s2.sqrt(),
            mean,
        })
    }

    /// Gamma with mean [s] and coefficient of variation: shape 1/cv², scale m·cv².
    pub fn gamma(mean: f64, cv: f64) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        let cv = cv_in_range(cv)?;
        if cv == 0.0 {
            return Ok(Dist::Constant { value: mean });
        }
        let shape = 1.0 / (cv * cv);
        if shape > 1e12 {
            // Beyond a trillion phases the sampler's scale underflows.
            return Err(format!(
                "cv {cv:e} is too small to sample as a gamma: use cv = 0 for a fixed duration, or at least 0.000001"
            ));
        }
        let sampler = Gamma::new(shape, mean / shape).map_err(|e| format!("gamma: {e}"))?;
        Ok(Dist::Gamma { sampler, mean })
    }

    /// Erlang with `k` phases and mean [s].
    pub fn erlang(k: u32, mean: f64) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        if k == 0 {
            return Err("k must be a whole number of 1 or more, found 0".into());
        }
        let sampler =
            Gamma::new(f64::from(k), mean / f64::from(k)).map_err(|e| format!("erlang: {e}"))?;
        Ok(Dist::Gamma { sampler, mean })
    }

    /// Weibull with shape and mean [s]: scale = mean / Γ(1 + 1/shape).
    pub fn weibull(shape: f64, mean: f64) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        let shape = positive("shape", shape)?;
        if shape < 0.1 {
            return Err(format!(
                "shape {shape} is too small (nearly every draw is 0 and the mean sits in a far tail); use 0.1 or more"
            ));
        }
        let scale = mean / statrs::function::gamma::gamma(1.0 + 1.0 / shape);
        let sampler = Weibull::new(scale, shape).map_err(|e| format!("weibull: {e}"))?;
        Ok(Dist::Weibull { sampler, mean })
    }

    /// Uniform on [min, max] [s].
    pub fn uniform(min: f64, max: f64) -> Result<Self, String> {
        let min = non_negative("min", min)?;
        let max = non_negative("max", max)?;
        if max < min {
            return Err(format!("max ({max} s) is below min ({min} s)"));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// Always `value` [s].
    pub fn constant(value: f64) -> Result<Self, String> {
        Ok(Dist::Constant {
            value: non_negative("value", value)?,
        })
    }

    /// Resample observed values [s].
    pub fn empirical(values: Vec<f64>) -> Result<Self, String> {
        if values.is_empty() {
            return Err("the column has no values".into());
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(format!(
                "every value must be a finite number of seconds of 0 or more, found {bad}"
            ));
        }
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Ok(Dist::Empirical {
            values: values.into(),
            mean,
        })
    }

    /// The mean [s].
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean }
            | Dist::LogNormal { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::Weibull { mean, .. }
            | Dist::Empirical { mean, .. } => *mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Constant { value } => *value,
        }
    }

    /// One draw [s].
    #[inline]
    pub fn sample_secs<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Dist::LogNormal { mu, sigma, .. } => {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Dist::Gamma { sampler, .. } => sampler.sample(rng),
            Dist::Weibull { sampler, .. } => sampler.sample(rng),
            Dist::Uniform { min, max } => min + (max - min) * uniform01(rng),
            Dist::Constant { value } => *value,
            Dist::Empirical { values, .. } => {
                let i = (uniform01(rng) * values.len() as f64) as usize;
                values[i.min(values.len() - 1)]
            }
        }
    }

    /// One draw in ticks.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Ticks {
        secs_to_ticks(self.sample_secs(rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let mut r = stream(11, 0, Stream::Handle);
        let xs: Vec<f64> = (0..n).map(|_| d.sample_secs(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        (m, v.sqrt() / m)
    }

    #[test]
    fn a_gamma_too_narrow_to_sample_is_refused_with_its_cv() {
        let e = Dist::gamma(180.0, 1e-200).expect_err("refused");
        assert!(e.starts_with("cv 1e-200 is too small"), "{e}");
        assert!(Dist::gamma(180.0, 1e-6).is_ok());
        assert!(matches!(
            Dist::gamma(180.0, 0.0),
            Ok(Dist::Constant { value }) if value == 180.0
        ));
    }

    #[test]
    fn sample_means_and_cvs_match_parameters() {
        let cases = [
            (Dist::exponential(180.0).unwrap(), 180.0, 1.0),
            (Dist::lognormal(240.0, 0.8).unwrap(), 240.0, 0.8),
            (Dist::gamma(120.0, 0.5).unwrap(), 120.0, 0.5),
            (Dist::erlang(4, 200.0).unwrap(), 200.0, 0.5),
            (Dist::weibull(1.0, 90.0).unwrap(), 90.0, 1.0),
            (
                Dist::uniform(60.0, 300.0).unwrap(),
                180.0,
                240.0 / 12f64.sqrt() / 180.0,
            ),
            (Dist::constant(128.0).unwrap(), 128.0, 0.0),
        ];
        for (d, mean, cv) in cases {
            let (m, c) = moments(&d, 200_000);
            assert!((m - mean).abs() / mean < 0.01, "{d:?}: mean {m}");
            assert!((c - cv).abs() < 0.02, "{d:?}: cv {c}");
            assert!((d.mean() - mean).abs() < 1e-9);
        }
    }

    #[test]
    fn invalid_parameters_are_refused() {
        assert!(Dist::exponential(0.0).is_err());
        assert!(Dist::exponential(f64::NAN).is_err());
        assert!(Dist::lognormal(10.0, -1.0).is_err());
        assert!(Dist::gamma(f64::INFINITY, 1.0).is_err());
        assert!(Dist::erlang(0, 10.0).is_err());
        assert!(Dist::weibull(0.0, 10.0).is_err());
        assert!(Dist::weibull(0.02, 10.0).is_err());
        assert!(Dist::lognormal(10.0, 1e200).is_err());
        assert!(Dist::gamma(10.0, 1e5).is_err());
        assert!(Dist::uniform(5.0, 1.0).is_err());
        assert!(Dist::constant(-1.0).is_err());
        assert!(Dist::empirical(vec![]).is_err());
        assert!(Dist::empirical(vec![1.0, f64::NAN]).is_err());
    }

    #[test]
    fn empirical_resamples_observed_values() {
        let d = Dist::empirical(vec![10.0, 20.0, 30.0]).unwrap();
        let mut r = stream(3, 0, Stream::Handle);
        for _ in 0..1000 {
            let x = d.sample_secs(&mut r);
            assert!([10.0, 20.0, 30.0].contains(&x));
        }
        assert_eq!(d.mean(), 20.0);
    }
}

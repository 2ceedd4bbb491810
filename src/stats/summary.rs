//! Mean, standard deviation and Student-t confidence intervals over replications.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of one metric over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean over the replications where the metric is defined.
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` with fewer than 2 values.
    pub std: Option<f64>,
    /// Lower end of the confidence interval; `None` with fewer than 2 values.
    pub ci_low: Option<f64>,
    /// Upper end of the confidence interval.
    pub ci_high: Option<f64>,
    /// Number of replications where the metric is defined.
    pub n: usize,
}

/// Two-sided Student-t quantile: the half-width multiplier for `confidence` with `df` degrees
/// of freedom.
pub fn t_quantile(confidence: f64, df: usize) -> f64 {
    let p = 0.5 + confidence / 2.0;
    match StudentsT::new(0.0, 1.0, df.max(1) as f64) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Summarise the defined values (in index order: sums are sequential, so results do not
/// depend on threads). `None` if no replication defines the metric.
pub fn summarize(values: &[Option<f64>], confidence: f64) -> Option<Summary> {
    let xs: Vec<f64> = values.iter().flatten().copied().collect();
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some(Summary {
            mean,
            std: None,
            ci_low: None,
            ci_high: None,
            n,
        });
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let std = var.sqrt();
    let half = t_quantile(confidence, n - 1) * std / (n as f64).sqrt();
    Some(Summary {
        mean,
        std: Some(std),
        ci_low: Some(mean - half),
        ci_high: Some(mean + half),
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_quantile(0.95, 9) - 2.262157).abs() < 1e-5);
        assert!((t_quantile(0.95, 19) - 2.093024).abs() < 1e-5);
        assert!((t_quantile(0.999, 19) - 3.883406).abs() < 1e-4);
    }

    #[test]
    fn summary_of_known_values() {
        let s = summarize(&[Some(1.0), Some(2.0), None, Some(3.0)], 0.95).unwrap();
        assert_eq!(s.n, 3);
        assert_eq!(s.mean, 2.0);
        assert_eq!(s.std, Some(1.0));
        let half = t_quantile(0.95, 2) / 3f64.sqrt();
        assert!((s.ci_high.unwrap() - (2.0 + half)).abs() < 1e-12);
        assert!(s.ci_low.unwrap() <= s.mean && s.mean <= s.ci_high.unwrap());
        assert_eq!(summarize(&[None, None], 0.95), None);
        assert_eq!(summarize(&[Some(5.0)], 0.95).unwrap().std, None);
    }
}

//! The statistics of a timing comparison, distribution-free because
//! response times are skewed and have outliers (a GC pause, a context
//! switch): the Mann-Whitney rank test for "one group tends to take
//! longer", and the Hodges-Lehmann estimate of how much longer, with its
//! confidence interval (Hollander & Wolfe, Nonparametric Statistical
//! Methods, 4.1 and 4.3; normal approximation, tie-corrected, fine from
//! about ten samples a group).
use statrs::distribution::{ContinuousCDF, Normal};

use crate::model::Comparison;

/// Ranks 1..=n of the pooled values, ties sharing their mean rank; also
/// the tie correction term sum(t^3 - t).
fn ranks(pooled: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..pooled.len()).collect();
    order.sort_by(|&a, &b| pooled[a].total_cmp(&pooled[b]));
    let mut ranks = vec![0.0; pooled.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && pooled[order[j + 1]] == pooled[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = mean;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

/// Compares `a` with `b` at confidence `level` (e.g. 0.99). `None` when a
/// group has fewer than two values or every value is the same.
pub fn compare(a: &[f64], b: &[f64], level: f64) -> Option<Comparison> {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let (r, ties) = ranks(&pooled);
    let rank_sum_a: f64 = r[..a.len()].iter().sum();
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let n = n1 + n2;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if variance <= 0.0 {
        return None;
    }
    let normal = Normal::standard();
    // Continuity correction: half a step towards the mean.
    let centred = u - n1 * n2 / 2.0;
    let z = (centred.abs() - 0.5).max(0.0) / variance.sqrt();
    let p_value = (2.0 * (1.0 - normal.cdf(z))).min(1.0);

    let mut diffs: Vec<f64> = a.iter().flat_map(|x| b.iter().map(move |y| x - y)).collect();
    diffs.sort_by(f64::total_cmp);
    let m = diffs.len();
    let shift_ms = if m % 2 == 1 { diffs[m / 2] } else { (diffs[m / 2 - 1] + diffs[m / 2]) / 2.0 };
    // The interval's ends are order statistics of the differences, `c`
    // in from each end (Hollander & Wolfe 4.3, large-sample form).
    let z_half = normal.inverse_cdf(1.0 - (1.0 - level) / 2.0);
    let c = (n1 * n2 / 2.0 - z_half * (n1 * n2 * (n + 1.0) / 12.0).sqrt()).floor().max(1.0) as usize;
    let c = c.min(m);
    Some(Comparison { p_value, shift_ms, low_ms: diffs[c - 1], high_ms: diffs[m - c], level })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_groups_show_no_shift() {
        let a: Vec<f64> = (0..30).map(|i| 20.0 + (i % 7) as f64).collect();
        let b: Vec<f64> = (0..30).map(|i| 20.0 + ((i + 3) % 7) as f64).collect();
        let c = compare(&a, &b, 0.99).unwrap();
        assert!(c.p_value > 0.5, "{c:?}");
        assert_eq!(c.shift_ms, 0.0);
        assert!(c.low_ms <= 0.0 && c.high_ms >= 0.0, "{c:?}");
    }

    #[test]
    fn a_shifted_group_is_found_and_measured() {
        let b: Vec<f64> = (0..30).map(|i| 2.0 + (i % 5) as f64 * 0.3).collect();
        let a: Vec<f64> = b.iter().map(|x| x + 25.0).collect();
        let c = compare(&a, &b, 0.99).unwrap();
        assert!(c.p_value < 1e-6, "{c:?}");
        assert!((c.shift_ms - 25.0).abs() < 1e-9, "{c:?}");
        assert!(c.low_ms <= 25.0 && c.high_ms >= 25.0 && c.high_ms - c.low_ms < 2.0, "{c:?}");
    }

    #[test]
    fn matches_scipy_on_its_documented_example() {
        // scipy.stats.mannwhitneyu's documentation: males against females,
        // U = 17, asymptotic two-sided p with continuity 0.11134688653314041.
        let males = [19.0, 22.0, 16.0, 29.0, 24.0];
        let females = [20.0, 11.0, 17.0, 12.0];
        let c = compare(&males, &females, 0.95).unwrap();
        assert!((c.p_value - 0.111_346_886_533_140_41).abs() < 1e-9, "{c:?}");
        assert_eq!(c.shift_ms, 7.0);
    }

    #[test]
    fn too_few_or_constant_values_compare_nothing() {
        assert_eq!(compare(&[1.0], &[1.0, 2.0], 0.99), None);
        assert_eq!(compare(&[1.0, 1.0], &[1.0, 1.0], 0.99), None);
    }
}

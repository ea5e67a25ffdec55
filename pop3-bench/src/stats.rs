//! Latency percentiles.

use std::time::Duration;

/// The `p`-th percentile (0-100) of `samples` by nearest rank, or `None`
/// when there are none. Sorts `samples`.
pub fn percentile(samples: &mut [Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let n = samples.len();
    // Nearest rank: the smallest value with at least p% of samples at or below it.
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    samples.get(rank.clamp(1, n) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples = ms(&[50, 10, 40, 20, 30]);
        assert_eq!(
            percentile(&mut samples, 50.0),
            Some(Duration::from_millis(30))
        );
        assert_eq!(
            percentile(&mut samples, 99.0),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            percentile(&mut samples, 0.0),
            Some(Duration::from_millis(10))
        );
    }

    #[test]
    fn p99_of_a_hundred_is_the_ninety_ninth() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(
            percentile(&mut samples, 99.0),
            Some(Duration::from_millis(99))
        );
    }

    #[test]
    fn no_samples_no_percentile() {
        assert_eq!(percentile(&mut [], 50.0), None);
    }
}

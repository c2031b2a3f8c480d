//! The few statistics the benchmark reports are made of.

use std::time::Duration;

/// The nearest-rank percentile of `samples` (`fraction` 0.5 is the median, 0.99 the p99),
/// latencies or ratios. Sorts `samples` in place.
///
/// # Panics
/// If `samples` is empty, holds values that do not compare (NaN), or `fraction` is not
/// in `0.0..=1.0`.
pub fn percentile<T: Copy + PartialOrd>(samples: &mut [T], fraction: f64) -> T {
    assert!(!samples.is_empty(), "no samples");
    assert!((0.0..=1.0).contains(&fraction), "fraction {fraction}");
    samples.sort_unstable_by(|a, b| a.partial_cmp(b).expect("samples that compare"));
    let rank = (fraction * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// `numerator / denominator` as a plain number, for "generated / raw" style reports.
pub fn ratio(numerator: Duration, denominator: Duration) -> f64 {
    numerator.as_secs_f64() / denominator.as_secs_f64()
}

/// How a report says whether a target is met.
pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// The machine's load averages over 1, 5 and 15 minutes as the kernel reports them
/// (`/proc/loadavg`), or `unknown` where there is no such file. Benchmarks print it,
/// because on a shared machine the figures mean little without it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_micros(v)).collect()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples = micros(&[5, 1, 4, 2, 3]);
        assert_eq!(percentile(&mut samples, 0.5), Duration::from_micros(3));
        assert_eq!(percentile(&mut samples, 0.0), Duration::from_micros(1));
        assert_eq!(percentile(&mut samples, 1.0), Duration::from_micros(5));

        let mut hundred: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        hundred.reverse();
        assert_eq!(percentile(&mut hundred, 0.99), Duration::from_micros(99));
        assert_eq!(percentile(&mut hundred, 0.5), Duration::from_micros(50));

        let mut ratios = [1.2, 0.9, 1.0, 1.1];
        assert_eq!(percentile(&mut ratios, 0.25), 0.9);
        assert_eq!(percentile(&mut ratios, 0.75), 1.1);
    }

    #[test]
    fn verdicts_say_whether_a_target_is_met() {
        assert_eq!(verdict(true), "met");
        assert_eq!(verdict(false), "NOT met");
    }

    #[test]
    fn ratios_compare_durations() {
        let ratio = ratio(Duration::from_micros(105), Duration::from_micros(100));
        assert!((ratio - 1.05).abs() < 1e-9, "{ratio}");
    }
}

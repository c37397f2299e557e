//! The distribution of a window's CARs: type-7 quantiles, binning and the histogram chart.

use std::fmt::Write as _;

use super::{
    c, close_empty_chart, line_entry, open_svg, titled_rect, xml_escape, Axis, Frame, COLOR_GRID,
    COLOR_NEG, COLOR_POS, WIDTH,
};
use crate::report::format::{fmt_count, fmt_num};
use crate::tables::CarRow;

/// Lower and upper quantile probabilities of the histogram range of [`car_histogram`].
pub(crate) const HIST_QUANTILES: (f64, f64) = (0.005, 0.995);
/// Number of equal-width bins of [`car_histogram_chart`].
pub(crate) const HIST_BINS: usize = 40;

/// Quantile of sorted values by linear interpolation between order statistics
/// (Hyndman–Fan type 7, the default of R and NumPy).
///
/// # Formula
/// h = (n − 1) · p, Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋) · (x₍⌊h⌋+1₎ − x₍⌊h⌋₎) (0-based order statistics).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let k = h.floor() as usize;
    let frac = h - k as f64;
    let lo = sorted[k];
    let hi = sorted[(k + 1).min(sorted.len() - 1)];
    Some(lo + frac * (hi - lo))
}

/// The distribution of the CARs of one window, binned for a histogram.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CarHistogram {
    /// Number of CARs (finite values).
    pub n: usize,
    /// Arithmetic mean of the CARs.
    pub mean: f64,
    /// Median of the CARs (type-7 quantile at 0.5).
    pub median: f64,
    /// Left edge of the first bin (the 0.5 % quantile, or a little below the values when all
    /// are equal).
    pub lo: f64,
    /// Right edge of the last bin (the 99.5 % quantile, or a little above).
    pub hi: f64,
    /// Count per bin; bin k covers [lo + k·w, lo + (k+1)·w), the last bin is closed.
    /// The first bin also counts every value below `lo`, the last every value above `hi`.
    pub counts: Vec<usize>,
    /// Values below `lo` (counted in the first bin).
    pub below: usize,
    /// Values above `hi` (counted in the last bin).
    pub above: usize,
}

impl CarHistogram {
    /// Width of one bin.
    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len().max(1) as f64
    }
}

/// Bins `values` (non-finite ones are ignored) into `bins` equal bins over the robust range
/// [Q(0.005), Q(0.995)]; values outside the range are counted in the edge bins. None when
/// there is no finite value.
///
/// # Formula
/// w = (hi − lo)/bins; a value v goes to bin clamp(⌊(v − lo)/w⌋, 0, bins − 1).
pub(crate) fn car_histogram(values: &[f64], bins: usize) -> Option<CarHistogram> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let median = quantile_sorted(&sorted, 0.5)?;
    let mut lo = quantile_sorted(&sorted, HIST_QUANTILES.0)?;
    let mut hi = quantile_sorted(&sorted, HIST_QUANTILES.1)?;
    if hi - lo < 1e-12 {
        let pad = (lo.abs() * 0.01).max(1e-4);
        lo -= pad;
        hi += pad;
    }
    let bins = bins.max(1);
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    let (mut below, mut above) = (0, 0);
    for &v in &sorted {
        if v < lo {
            below += 1;
        } else if v > hi {
            above += 1;
        }
        let k = ((v - lo) / w).floor();
        let k = if k < 0.0 {
            0
        } else {
            (k as usize).min(bins - 1)
        };
        counts[k] += 1;
    }
    Some(CarHistogram {
        n,
        mean,
        median,
        lo,
        hi,
        counts,
        below,
        above,
    })
}

/// The one-line description of a CAR distribution used in titles and captions.
pub(crate) fn car_histogram_summary(h: &CarHistogram, n_na: usize) -> String {
    histogram_summary(h, n_na, fmt_num)
}

/// [`car_histogram_summary`] with values written by `fmt`.
pub(crate) fn histogram_summary(h: &CarHistogram, n_na: usize, fmt: fn(f64) -> String) -> String {
    let mut s = format!(
        "n = {}, mean {}, median {}",
        fmt_count(h.n),
        fmt(h.mean),
        fmt(h.median)
    );
    if n_na > 0 {
        let _ = write!(s, ", {} NA (incomplete window)", fmt_count(n_na));
    }
    s
}

/// The words of a histogram chart: what is binned and what is counted.
pub(crate) struct HistogramLabels<'a> {
    /// Chart title (also the SVG `<title>`).
    pub(crate) title: &'a str,
    /// Name of the binned value in tooltips (`CAR`, `net return`).
    pub(crate) value: &'a str,
    /// Title of the x axis.
    pub(crate) x_title: &'a str,
    /// Title of the y axis (what one count is).
    pub(crate) y_title: &'a str,
    /// Message of a chart with no finite value.
    pub(crate) empty: &'a str,
    /// A further note under the axis, if any (without the final full stop).
    pub(crate) note: Option<String>,
    /// How values are written in the summary, tooltips and legend.
    pub(crate) fmt: fn(f64) -> String,
}

/// The distribution of the CARs of one window as a histogram: [`HIST_BINS`] bars
/// (`<rect class="bin">`, each with a `<title>` giving its range and count) over the
/// 0.5 %–99.5 % quantile range, values outside counted in the edge bins (said in the note
/// under the axis), a vertical line at 0 (`<line class="zero">`) and at the mean
/// (`<line class="mean">`); n, mean and median in the title. Used instead of
/// [`car_chart`] when a window has too many pairs for one bar each. `rows` are the
/// event–security pairs; `portfolios_left_out` same-date portfolio CARs of the window are not
/// binned (they average the pairs) and are only mentioned in the note.
pub(crate) fn car_histogram_chart(
    window: &str,
    rows: &[&CarRow],
    portfolios_left_out: usize,
    standalone: bool,
) -> String {
    let values: Vec<f64> = rows.iter().filter_map(|r| r.car).collect();
    let n_na = rows.iter().filter(|r| r.car.is_none()).count();
    let labels = HistogramLabels {
        title: &format!("Distribution of CAR, window {window}"),
        value: "CAR",
        x_title: &format!("CAR {window} ({HIST_BINS} equal bins; count of events per bin)"),
        y_title: "events",
        empty: "no complete CAR in this window",
        fmt: fmt_num,
        note: (portfolios_left_out > 0).then(|| {
            format!(
                "{} same-date portfolio CAR(s) not included",
                fmt_count(portfolios_left_out)
            )
        }),
    };
    histogram_chart(&values, n_na, &labels, standalone)
}

/// The distribution of `values` as a histogram of [`HIST_BINS`] bars (`<rect class="bin">`,
/// each with a `<title>` giving its range and count) over the 0.5 %–99.5 % quantile range,
/// values outside counted in the edge bins (said in the note under the axis), a vertical line
/// at 0 (`<line class="zero">`) and at the mean (`<line class="mean">`); n, mean and median
/// (and `n_na` missing values, if any) in the line under the title.
pub(crate) fn histogram_chart(
    values: &[f64],
    n_na: usize,
    labels: &HistogramLabels,
    standalone: bool,
) -> String {
    let height = 414.0;
    let mut out = String::new();
    open_svg(&mut out, WIDTH, height, labels.title, standalone);
    let Some(h) = car_histogram(values, HIST_BINS) else {
        close_empty_chart(&mut out, labels.empty);
        return out;
    };
    let _ = write!(
        out,
        "<text class=\"summary\" x=\"{}\" y=\"42\" fill=\"#333\">{}</text>",
        c(16.0),
        xml_escape(&histogram_summary(&h, n_na, labels.fmt))
    );
    let f = Frame {
        left: 76.0,
        right: WIDTH - 24.0,
        top: 62.0,
        bottom: height - 92.0,
    };
    let x_axis = Axis::spanning(h.lo, h.hi, 8);
    let y_axis = count_axis(&h);
    for v in y_axis.ticks() {
        f.y_grid(
            &mut out,
            y_axis.map(v, f.bottom, f.top),
            COLOR_GRID,
            &fmt_count(v.round() as usize),
        );
    }
    for v in x_axis.ticks() {
        f.bottom_tick(
            &mut out,
            x_axis.map(v, f.left, f.right),
            &x_axis.percent_label(v),
        );
    }
    draw_bins(&mut out, &f, [&x_axis, &y_axis], &h, labels);
    f.axis_lines(&mut out);
    draw_reference_lines(&mut out, &f, &x_axis, h.mean, labels);
    draw_legend(&mut out, &f, &(labels.fmt)(h.mean));
    f.x_title(&mut out, labels.x_title);
    let notes = notes(&h, inside(&x_axis, h.mean), labels.note.clone());
    for (k, line) in notes.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">{}</text>",
            c((f.left + f.right) / 2.0),
            c(f.bottom + 58.0 + 15.0 * k as f64),
            xml_escape(line)
        );
    }
    f.y_title(&mut out, labels.y_title);
    out.push_str("</svg>");
    out
}

/// The count axis: from 0 to at least the largest bin, in whole steps.
fn count_axis(h: &CarHistogram) -> Axis {
    Axis::counts(h.counts.iter().copied().max().unwrap_or(0) as f64)
}

/// Whether `v` lies in the drawn range of `axis`.
fn inside(axis: &Axis, v: f64) -> bool {
    v >= axis.lo && v <= axis.hi
}

/// One `<rect class="bin">` per bin, coloured by the sign of its centre, with its range and
/// count (and the values beyond the range it holds) as tooltip.
fn draw_bins(
    out: &mut String,
    f: &Frame,
    [x_axis, y_axis]: [&Axis; 2],
    h: &CarHistogram,
    labels: &HistogramLabels,
) {
    let (value, fmt) = (labels.value, labels.fmt);
    let w = h.bin_width();
    let last = h.counts.len() - 1;
    for (k, &count) in h.counts.iter().enumerate() {
        let a = h.lo + k as f64 * w;
        let b = if k == last { h.hi } else { a + w };
        let x0 = x_axis.map(a, f.left, f.right);
        let x1 = x_axis.map(b, f.left, f.right);
        let y = y_axis.map(count as f64, f.bottom, f.top);
        let color = if (a + b) / 2.0 >= 0.0 {
            COLOR_POS
        } else {
            COLOR_NEG
        };
        let mut range = format!(
            "[{}, {}{}",
            fmt(a),
            fmt(b),
            if k == last { "]" } else { ")" }
        );
        if k == 0 && h.below > 0 {
            let _ = write!(range, " and {} below", fmt_count(h.below));
        }
        if k == last && h.above > 0 {
            let _ = write!(range, " and {} above", fmt_count(h.above));
        }
        titled_rect(
            out,
            "bin",
            [&c(x0), &c(y), &c((x1 - x0).max(0.0)), &c(f.bottom - y)],
            &format!("fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"0.5\""),
            &format!("{value} {range}: {count}"),
        );
    }
}

/// Vertical lines at 0 (`class="zero"`) and at the mean (`class="mean"`), each when inside
/// the drawn range.
fn draw_reference_lines(
    out: &mut String,
    f: &Frame,
    x_axis: &Axis,
    mean: f64,
    labels: &HistogramLabels,
) {
    if inside(x_axis, 0.0) {
        let x = c(x_axis.map(0.0, f.left, f.right));
        let _ = write!(
            out,
            "<line class=\"zero\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#222\" stroke-width=\"1.5\"/>",
            c(f.top - 6.0),
            c(f.bottom)
        );
    }
    if inside(x_axis, mean) {
        let x = c(x_axis.map(mean, f.left, f.right));
        let _ = write!(
            out,
            "<line class=\"mean\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>mean {} {}</title></line>",
            c(f.top - 6.0),
            c(f.bottom),
            labels.value,
            (labels.fmt)(mean)
        );
    }
}

/// The legend (top right): the zero line and the mean line.
fn draw_legend(out: &mut String, f: &Frame, mean: &str) {
    let lx = f.right - 200.0;
    line_entry(
        out,
        [&c(lx), "38", &c(lx + 22.0), "38"],
        "stroke=\"#222\" stroke-width=\"1.5\"",
        [&c(lx + 28.0), "42"],
        "0",
    );
    line_entry(
        out,
        [&c(lx + 50.0), "38", &c(lx + 72.0), "38"],
        "stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"6 3\"",
        [&c(lx + 78.0), "42"],
        &format!("mean {mean}"),
    );
}

/// The notes under the axis: the binning on the first line, anything else on the second.
fn notes(h: &CarHistogram, mean_inside: bool, note: Option<String>) -> Vec<String> {
    let mut binning = format!(
        "Bins span the 0.5%–99.5% quantiles [{}%, {}%]",
        fmt_num(h.lo * 100.0),
        fmt_num(h.hi * 100.0)
    );
    if h.below + h.above > 0 {
        let _ = write!(
            binning,
            "; {} value(s) below and {} above are counted in the edge bins",
            fmt_count(h.below),
            fmt_count(h.above)
        );
    }
    let mut other: Vec<String> = Vec::new();
    if !mean_inside {
        other.push("The mean is outside the drawn range".to_string());
    }
    other.extend(note);
    let mut lines = vec![binning + "."];
    if !other.is_empty() {
        lines.push(other.join("; ") + ".");
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random values in (0, 1) (a 64-bit LCG, top 53 bits).
    fn uniforms(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
            })
            .collect()
    }

    #[test]
    fn quantile_type7_by_hand() {
        // h = 3 · 0.5 = 1.5 → 2 + 0.5 · (3 − 2) = 2.5.
        approx::assert_relative_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5).unwrap(), 2.5);
        // 0..=1000: h = 1000 · 0.005 = 5 exactly.
        let ints: Vec<f64> = (0..=1000).map(f64::from).collect();
        approx::assert_relative_eq!(quantile_sorted(&ints, 0.005).unwrap(), 5.0);
        approx::assert_relative_eq!(quantile_sorted(&ints, 0.995).unwrap(), 995.0);
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(50_000), "50,000");
        assert_eq!(fmt_count(1_234_567), "1,234,567");
    }

    #[test]
    fn histogram_counts_every_value_once() {
        // Skewed values with a few far outliers on both sides and one NaN (ignored).
        let mut values: Vec<f64> = uniforms(4_999, 7)
            .into_iter()
            .map(|u| (u - 0.4) * 0.1 + if u > 0.9 { 0.2 * (u - 0.9) } else { 0.0 })
            .collect();
        values.extend([5.0, -3.0, 7.5, f64::NAN]);
        let h = car_histogram(&values, HIST_BINS).unwrap();
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        assert_eq!(h.n, 5_002);
        assert_eq!(h.counts.len(), HIST_BINS);
        assert_eq!(h.counts.iter().sum::<usize>(), finite.len());
        // Independent count: bin k holds the values in [edge_k, edge_k+1), the first bin also
        // everything below, the last everything from its left edge up.
        let w = (h.hi - h.lo) / HIST_BINS as f64;
        for (k, &count) in h.counts.iter().enumerate() {
            let a = h.lo + k as f64 * w;
            let b = h.lo + (k + 1) as f64 * w;
            let direct = finite
                .iter()
                .filter(|&&v| {
                    let above_left = k == 0 || v >= a;
                    let below_right = k == HIST_BINS - 1 || v < b;
                    above_left && below_right
                })
                .count();
            // Values within rounding of a bin edge may fall either side.
            let near_edge = finite
                .iter()
                .filter(|&&v| (v - a).abs() < 1e-12 || (v - b).abs() < 1e-12)
                .count();
            assert!(
                count.abs_diff(direct) <= near_edge,
                "bin {k}: {count} vs {direct}"
            );
        }
        // The robust range is the 0.5 % and 99.5 % quantiles; 0.5 % of 5,002 ≈ 25 values
        // lie outside each end, the outliers among them.
        let mut sorted = finite.clone();
        sorted.sort_by(f64::total_cmp);
        approx::assert_relative_eq!(h.lo, quantile_sorted(&sorted, 0.005).unwrap());
        approx::assert_relative_eq!(h.hi, quantile_sorted(&sorted, 0.995).unwrap());
        assert_eq!(h.below, finite.iter().filter(|&&v| v < h.lo).count());
        assert_eq!(h.above, finite.iter().filter(|&&v| v > h.hi).count());
        assert!((24..=26).contains(&h.below) && (24..=26).contains(&h.above));
        approx::assert_relative_eq!(
            h.mean,
            finite.iter().sum::<f64>() / finite.len() as f64,
            max_relative = 1e-12
        );
        approx::assert_relative_eq!(h.median, (sorted[2500] + sorted[2501]) / 2.0);
    }

    #[test]
    fn histogram_of_equal_values_and_of_nothing() {
        let h = car_histogram(&[0.01; 100], 10).unwrap();
        assert_eq!(h.counts.iter().sum::<usize>(), 100);
        assert!(h.lo < 0.01 && h.hi > 0.01);
        assert_eq!((h.below, h.above), (0, 0));
        assert!(car_histogram(&[f64::NAN], 10).is_none());
        assert!(car_histogram(&[], 10).is_none());
    }
}

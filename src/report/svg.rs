//! Hand-drawn SVG charts of the report: CAAR path with a 95 % band, AAR bars, CAR bars.
//!
//! Every coordinate is written with two decimals and every label with a fixed format, so the
//! same tables always give the same SVG text. The root element carries the SVG namespace when
//! the chart is written as a file; inline copies in the HTML page leave it out (HTML5 does not
//! need it).

use std::fmt::Write as _;

use crate::tables::{AggregateRow, CarRow};

/// Chart width in pixels.
const WIDTH: f64 = 760.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const COLOR_LINE: &str = "#1f5fa8";
const COLOR_BAND: &str = "#9ec3ea";
const COLOR_POS: &str = "#2f73b5";
const COLOR_NEG: &str = "#d0652a";
const COLOR_AXIS: &str = "#444";
const COLOR_GRID: &str = "#e3e3e3";

/// Escapes text for XML content and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number as an SVG coordinate (two decimals, no negative zero).
fn c(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// A linear numeric axis with "nice" ticks (steps of 1, 2 or 5 × 10^k).
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    step: f64,
}

impl Axis {
    /// An axis covering `[lo, hi]` and 0, with about `target` intervals.
    fn covering(lo: f64, hi: f64, target: usize) -> Axis {
        Axis::spanning(lo.min(0.0), hi.max(0.0), target)
    }

    /// An axis covering `[lo, hi]` (not necessarily 0), with about `target` intervals.
    fn spanning(lo: f64, hi: f64, target: usize) -> Axis {
        let (mut lo, mut hi) = (lo, hi);
        if !(lo.is_finite() && hi.is_finite()) {
            lo = -0.01;
            hi = 0.01;
        }
        if hi - lo < 1e-12 {
            let pad = if lo.abs() > 1e-12 {
                lo.abs() * 0.5
            } else {
                0.01
            };
            lo -= pad;
            hi += pad;
        }
        let raw = (hi - lo) / target.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let f = raw / mag;
        let nf = if f <= 1.0 {
            1.0
        } else if f <= 2.0 {
            2.0
        } else if f <= 5.0 {
            5.0
        } else {
            10.0
        };
        let step = nf * mag;
        Axis {
            lo: (lo / step - 1e-9).floor() * step,
            hi: (hi / step + 1e-9).ceil() * step,
            step,
        }
    }

    fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as i64;
        (0..=n)
            .map(|k| {
                let v = self.lo + k as f64 * self.step;
                if v.abs() < self.step * 1e-6 {
                    0.0
                } else {
                    v
                }
            })
            .collect()
    }

    /// Maps a value onto `[p0, p1]` (pixels; p0 is the image of `lo`).
    fn map(&self, v: f64, p0: f64, p1: f64) -> f64 {
        p0 + (v - self.lo) / (self.hi - self.lo) * (p1 - p0)
    }

    /// A tick label in percent with as many decimals as the step needs.
    fn percent_label(&self, v: f64) -> String {
        let step_pct = self.step * 100.0;
        let decimals = if step_pct >= 1.0 {
            0
        } else {
            (-step_pct.log10().floor()) as usize
        };
        let s = format!("{:.*}%", decimals.min(6), v * 100.0);
        if s.trim_start_matches('-')
            .chars()
            .all(|ch| ch == '0' || ch == '.' || ch == '%')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    }
}

/// Opens an SVG document.
fn open_svg(out: &mut String, width: f64, height: f64, title: &str, standalone: bool) {
    let ns = if standalone {
        " xmlns=\"http://www.w3.org/2000/svg\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<svg{ns} width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"12\" role=\"img\">",
        w = c(width),
        h = c(height),
    );
    let _ = write!(out, "<title>{}</title>", xml_escape(title));
    let _ = write!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        c(width),
        c(height)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"22\" font-size=\"15\" font-weight=\"600\" fill=\"#222\">{}</text>",
        c(16.0),
        xml_escape(title)
    );
}

/// One point of the CAAR path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaarPoint {
    pub rel_day: i32,
    /// Σ AAR up to and including this day.
    pub caar: f64,
    /// 1.96 × √(Σ sd²/n) up to this day; None once a day without sd (n < 2) was passed.
    pub half_band: Option<f64>,
}

/// The CAAR path of one group from its `ar` aggregate rows (any order).
///
/// CAAR_t = Σ_{s ≤ t} AAR_s from the first day of H; the band is ±1.96 · √(Σ_{s ≤ t} sd_s²/n_s),
/// the cumulated cross-sectional standard error of the AARs (days treated as independent).
/// Follows the NA rule: the path stops at the first day whose AAR is NA, the band at the
/// first day whose sd is NA.
pub(crate) fn caar_path(rows: &[&AggregateRow]) -> Vec<CaarPoint> {
    let mut days: Vec<&AggregateRow> = rows
        .iter()
        .copied()
        .filter(|r| r.metric == "ar" && r.rel_day.is_some())
        .collect();
    days.sort_by_key(|r| r.rel_day);
    let mut out = Vec::new();
    let mut caar = 0.0;
    let mut var = Some(0.0);
    for r in days {
        let Some(mean) = r.mean else { break };
        caar += mean;
        var = match (var, r.sd) {
            (Some(v), Some(sd)) if r.n > 0 => Some(v + sd * sd / r.n as f64),
            _ => None,
        };
        out.push(CaarPoint {
            rel_day: r.rel_day.unwrap_or(0),
            caar,
            half_band: var.map(|v| 1.96 * v.sqrt()),
        });
    }
    out
}

/// Plot geometry of a day-axis chart.
struct DayFrame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    first: i32,
    n_days: usize,
}

impl DayFrame {
    fn x(&self, day: i32) -> f64 {
        let w = (self.right - self.left) / self.n_days as f64;
        self.left + ((day - self.first) as f64 + 0.5) * w
    }
    fn slot(&self) -> f64 {
        (self.right - self.left) / self.n_days as f64
    }
}

/// Grid lines, y ticks (percent) and x ticks (relative days) of a day chart.
fn day_axes(out: &mut String, f: &DayFrame, axis: &Axis, x_label: &str, y_label: &str) {
    for v in axis.ticks() {
        let y = axis.map(v, f.bottom, f.top);
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"1\"/>",
            c(f.left),
            c(f.right),
            y = c(y)
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            c(f.left - 6.0),
            c(y + 4.0),
            axis.percent_label(v)
        );
    }
    let every = f.n_days.div_ceil(20).max(1) as i32;
    for k in 0..f.n_days as i32 {
        let day = f.first + k;
        if day % every != 0 {
            continue;
        }
        let x = f.x(day);
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{COLOR_AXIS}\"/>",
            c(f.bottom),
            c(f.bottom + 5.0),
            x = c(x)
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{day}</text>",
            c(x),
            c(f.bottom + 18.0)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
        l = c(f.left),
        t = c(f.top),
        b = c(f.bottom),
        r = c(f.right)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
        c((f.left + f.right) / 2.0),
        c(f.bottom + 38.0),
        xml_escape(x_label)
    );
    let _ = write!(
        out,
        "<text x=\"16\" y=\"{y}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 16 {y})\">{}</text>",
        xml_escape(y_label),
        y = c((f.top + f.bottom) / 2.0)
    );
}

/// Ends a chart that has nothing to draw with a short grey message.
fn close_empty_chart(out: &mut String, message: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" fill=\"#666\">{}</text></svg>",
        c(40.0),
        c(80.0),
        xml_escape(message)
    );
}

/// The CAAR chart of one group: the path (one `<polyline class="caar">` with one point per day),
/// the 95 % band (`<path class="band">`), axes, legend and title.
pub(crate) fn caar_chart(group: &str, rows: &[&AggregateRow], standalone: bool) -> String {
    let points = caar_path(rows);
    let height = 360.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("CAAR with 95% band — group {group}"),
        standalone,
    );
    if points.is_empty() {
        close_empty_chart(&mut out, "no abnormal returns");
        return out;
    }
    let first = points[0].rel_day;
    let last = points[points.len() - 1].rel_day;
    let f = DayFrame {
        left: 76.0,
        right: WIDTH - 24.0,
        top: 48.0,
        bottom: height - 56.0,
        first,
        n_days: (last - first + 1) as usize,
    };
    let lo = points
        .iter()
        .map(|p| p.caar - p.half_band.unwrap_or(0.0))
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .map(|p| p.caar + p.half_band.unwrap_or(0.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 6);
    day_axes(&mut out, &f, &axis, "relative trading day", "CAAR (Σ AAR)");

    let banded: Vec<&CaarPoint> = points.iter().filter(|p| p.half_band.is_some()).collect();
    if !banded.is_empty() {
        let mut d = String::new();
        for (k, p) in banded.iter().enumerate() {
            let hb = p.half_band.unwrap_or(0.0);
            let _ = write!(
                d,
                "{}{},{} ",
                if k == 0 { "M" } else { "L" },
                c(f.x(p.rel_day)),
                c(axis.map(p.caar + hb, f.bottom, f.top))
            );
        }
        for p in banded.iter().rev() {
            let hb = p.half_band.unwrap_or(0.0);
            let _ = write!(
                d,
                "L{},{} ",
                c(f.x(p.rel_day)),
                c(axis.map(p.caar - hb, f.bottom, f.top))
            );
        }
        d.push('Z');
        let _ = write!(out, "<path class=\"band\" d=\"{d}\" fill=\"{COLOR_BAND}\" fill-opacity=\"0.55\" stroke=\"none\"/>");
    }
    let pts: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "{},{}",
                c(f.x(p.rel_day)),
                c(axis.map(p.caar, f.bottom, f.top))
            )
        })
        .collect();
    let _ = write!(
        out,
        "<polyline class=\"caar\" points=\"{}\" fill=\"none\" stroke=\"{COLOR_LINE}\" stroke-width=\"2.2\"/>",
        pts.join(" ")
    );
    for p in &points {
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{COLOR_LINE}\"><title>day {}: CAAR {}</title></circle>",
            c(f.x(p.rel_day)),
            c(axis.map(p.caar, f.bottom, f.top)),
            p.rel_day,
            super::fmt_num(p.caar)
        );
    }
    // Legend (top right).
    let lx = f.right - 210.0;
    let ly = 34.0;
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{COLOR_LINE}\" stroke-width=\"2.2\"/><text x=\"{}\" y=\"{}\" fill=\"#333\">CAAR</text>",
        c(lx),
        c(ly),
        c(lx + 22.0),
        c(ly),
        c(lx + 28.0),
        c(ly + 4.0)
    );
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"10\" fill=\"{COLOR_BAND}\" fill-opacity=\"0.55\"/><text x=\"{}\" y=\"{}\" fill=\"#333\">95% band</text>",
        c(lx + 80.0),
        c(ly - 5.0),
        c(lx + 108.0),
        c(ly + 4.0)
    );
    out.push_str("</svg>");
    out
}

/// AAR bars of one group: one `<rect class="bar">` per day with an AAR, coloured by sign.
pub(crate) fn aar_chart(group: &str, rows: &[&AggregateRow], standalone: bool) -> String {
    let mut days: Vec<(i32, f64)> = rows
        .iter()
        .filter(|r| r.metric == "ar")
        .filter_map(|r| Some((r.rel_day?, r.mean?)))
        .collect();
    days.sort_by_key(|d| d.0);
    let height = 320.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("AAR by relative day — group {group}"),
        standalone,
    );
    if days.is_empty() {
        close_empty_chart(&mut out, "no abnormal returns");
        return out;
    }
    let first = days[0].0;
    let last = days[days.len() - 1].0;
    let f = DayFrame {
        left: 76.0,
        right: WIDTH - 24.0,
        top: 40.0,
        bottom: height - 56.0,
        first,
        n_days: (last - first + 1) as usize,
    };
    let lo = days.iter().map(|d| d.1).fold(f64::INFINITY, f64::min);
    let hi = days.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::covering(lo, hi, 5);
    day_axes(&mut out, &f, &axis, "relative trading day", "AAR");
    let bw = (f.slot() * 0.7).min(48.0);
    let y0 = axis.map(0.0, f.bottom, f.top);
    for (day, v) in &days {
        let y = axis.map(*v, f.bottom, f.top);
        let color = if *v >= 0.0 { COLOR_POS } else { COLOR_NEG };
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\"><title>day {day}: AAR {}</title></rect>",
            c(f.x(*day) - bw / 2.0),
            c(y.min(y0)),
            c(bw),
            c((y - y0).abs()),
            super::fmt_num(*v)
        );
    }
    out.push_str("</svg>");
    out
}

/// CAR per event–security pair for one window: one horizontal `<rect class="bar">` per row with
/// a CAR (NA rows are labelled `NA`), coloured by sign, with a ±1.96·car_se whisker, labelled
/// `event_id · security`.
pub(crate) fn car_chart(window: &str, rows: &[&CarRow], standalone: bool) -> String {
    let row_h = 22.0;
    let top = 58.0;
    let label_w = rows
        .iter()
        .map(|r| (r.event_id.chars().count() + r.security.chars().count() + 3) as f64 * 6.6)
        .fold(60.0, f64::max)
        .min(300.0);
    let left = label_w + 24.0;
    let right = WIDTH - 24.0;
    let bottom = top + row_h * rows.len().max(1) as f64;
    let height = bottom + 56.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("CAR by event, window {window}"),
        standalone,
    );
    let whisker = |r: &CarRow| {
        r.car
            .zip(r.car_se)
            .map(|(v, se)| (v - 1.96 * se, v + 1.96 * se))
    };
    let lo = rows
        .iter()
        .flat_map(|r| [r.car, whisker(r).map(|w| w.0)])
        .flatten()
        .fold(f64::INFINITY, f64::min);
    let hi = rows
        .iter()
        .flat_map(|r| [r.car, whisker(r).map(|w| w.1)])
        .flatten()
        .fold(f64::NEG_INFINITY, f64::max);
    let axis = if lo.is_finite() {
        Axis::covering(lo, hi, 6)
    } else {
        Axis::covering(-0.01, 0.01, 4)
    };
    for v in axis.ticks() {
        let x = axis.map(v, left, right);
        let color = if v == 0.0 { COLOR_AXIS } else { COLOR_GRID };
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{color}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            c(top - 4.0),
            c(bottom),
            c(bottom + 18.0),
            axis.percent_label(v),
            x = c(x)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
        c(left),
        c(right),
        b = c(bottom)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">CAR {} (whiskers: ±1.96 · car_se)</text>",
        c((left + right) / 2.0),
        c(bottom + 38.0),
        xml_escape(window)
    );
    // Legend.
    let lx = right - 190.0;
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"31\" width=\"12\" height=\"12\" fill=\"{COLOR_POS}\"/><text x=\"{}\" y=\"41\" fill=\"#333\">CAR ≥ 0</text><rect x=\"{}\" y=\"31\" width=\"12\" height=\"12\" fill=\"{COLOR_NEG}\"/><text x=\"{}\" y=\"41\" fill=\"#333\">CAR &lt; 0</text>",
        c(lx),
        c(lx + 17.0),
        c(lx + 90.0),
        c(lx + 107.0)
    );
    let x0 = axis.map(0.0, left, right);
    for (k, r) in rows.iter().enumerate() {
        let yc = top + row_h * (k as f64 + 0.5);
        let label = format!("{} · {}", r.event_id, r.security);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            c(left - 8.0),
            c(yc + 4.0),
            xml_escape(&label)
        );
        match r.car {
            Some(v) => {
                let x = axis.map(v, left, right);
                let color = if v >= 0.0 { COLOR_POS } else { COLOR_NEG };
                let _ = write!(
                    out,
                    "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\"><title>{}: CAR {}</title></rect>",
                    c(x.min(x0)),
                    c(yc - row_h * 0.34),
                    c((x - x0).abs()),
                    c(row_h * 0.68),
                    xml_escape(&label),
                    super::fmt_num(v)
                );
                if let Some((wl, wh)) = whisker(r) {
                    let _ = write!(
                        out,
                        "<line class=\"whisker\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#222\" stroke-width=\"1\"/>",
                        c(axis.map(wl, left, right)),
                        c(axis.map(wh, left, right)),
                        y = c(yc)
                    );
                }
            }
            None => {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"#888\" font-style=\"italic\">NA (incomplete window)</text>",
                    c(x0 + 6.0),
                    c(yc + 4.0)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

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

/// A count with thousands separators (`50000` → `50,000`).
pub(crate) fn fmt_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The one-line description of a CAR distribution used in titles and captions.
pub(crate) fn car_histogram_summary(h: &CarHistogram, n_na: usize) -> String {
    let mut s = format!(
        "n = {}, mean {}, median {}",
        fmt_count(h.n),
        super::fmt_num(h.mean),
        super::fmt_num(h.median)
    );
    if n_na > 0 {
        let _ = write!(s, ", {} NA (incomplete window)", fmt_count(n_na));
    }
    s
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
    let height = 414.0;
    let mut out = String::new();
    let Some(h) = car_histogram(&values, HIST_BINS) else {
        open_svg(
            &mut out,
            WIDTH,
            height,
            &format!("Distribution of CAR, window {window}"),
            standalone,
        );
        close_empty_chart(&mut out, "no complete CAR in this window");
        return out;
    };
    open_svg(
        &mut out,
        WIDTH,
        height,
        &format!("Distribution of CAR, window {window}"),
        standalone,
    );
    let _ = write!(
        out,
        "<text class=\"summary\" x=\"{}\" y=\"42\" fill=\"#333\">{}</text>",
        c(16.0),
        xml_escape(&car_histogram_summary(&h, n_na))
    );
    let (left, right, top, bottom) = (76.0, WIDTH - 24.0, 62.0, height - 92.0);
    let x_axis = Axis::spanning(h.lo, h.hi, 8);
    let max_count = h.counts.iter().copied().max().unwrap_or(0) as f64;
    let y_axis = Axis::spanning(0.0, max_count.max(1.0), 5);
    let y_step_whole = y_axis.step.max(1.0).round();
    let y_axis = Axis {
        lo: 0.0,
        hi: (y_axis.hi / y_step_whole).ceil() * y_step_whole,
        step: y_step_whole,
    };
    for v in y_axis.ticks() {
        let y = y_axis.map(v, bottom, top);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{COLOR_GRID}\" stroke-width=\"1\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            c(left),
            c(right),
            c(left - 6.0),
            c(y + 4.0),
            fmt_count(v.round() as usize),
            y = c(y)
        );
    }
    for v in x_axis.ticks() {
        let x = x_axis.map(v, left, right);
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{COLOR_AXIS}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            c(bottom),
            c(bottom + 5.0),
            c(bottom + 18.0),
            x_axis.percent_label(v),
            x = c(x)
        );
    }
    let w = h.bin_width();
    let last = h.counts.len() - 1;
    for (k, &count) in h.counts.iter().enumerate() {
        let a = h.lo + k as f64 * w;
        let b = if k == last { h.hi } else { a + w };
        let x0 = x_axis.map(a, left, right);
        let x1 = x_axis.map(b, left, right);
        let y = y_axis.map(count as f64, bottom, top);
        let color = if (a + b) / 2.0 >= 0.0 {
            COLOR_POS
        } else {
            COLOR_NEG
        };
        let mut range = format!(
            "[{}, {}{}",
            super::fmt_num(a),
            super::fmt_num(b),
            if k == last { "]" } else { ")" }
        );
        if k == 0 && h.below > 0 {
            let _ = write!(range, " and {} below", fmt_count(h.below));
        }
        if k == last && h.above > 0 {
            let _ = write!(range, " and {} above", fmt_count(h.above));
        }
        let _ = write!(
            out,
            "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>CAR {range}: {count}</title></rect>",
            c(x0),
            c(y),
            c((x1 - x0).max(0.0)),
            c(bottom - y),
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"{COLOR_AXIS}\"/>",
        l = c(left),
        t = c(top),
        b = c(bottom),
        r = c(right)
    );
    // Reference lines: 0 and the mean, when inside the drawn range.
    let inside = |v: f64| v >= x_axis.lo && v <= x_axis.hi;
    if inside(0.0) {
        let x = c(x_axis.map(0.0, left, right));
        let _ = write!(
            out,
            "<line class=\"zero\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#222\" stroke-width=\"1.5\"/>",
            c(top - 6.0),
            c(bottom)
        );
    }
    if inside(h.mean) {
        let x = c(x_axis.map(h.mean, left, right));
        let _ = write!(
            out,
            "<line class=\"mean\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>mean CAR {}</title></line>",
            c(top - 6.0),
            c(bottom),
            super::fmt_num(h.mean)
        );
    }
    // Legend (top right).
    let lx = right - 200.0;
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"38\" x2=\"{}\" y2=\"38\" stroke=\"#222\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"42\" fill=\"#333\">0</text><line x1=\"{}\" y1=\"38\" x2=\"{}\" y2=\"38\" stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/><text x=\"{}\" y=\"42\" fill=\"#333\">mean {}</text>",
        c(lx),
        c(lx + 22.0),
        c(lx + 28.0),
        c(lx + 50.0),
        c(lx + 72.0),
        c(lx + 78.0),
        super::fmt_num(h.mean)
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">CAR {} ({} equal bins; count of events per bin)</text>",
        c((left + right) / 2.0),
        c(bottom + 38.0),
        xml_escape(window),
        h.counts.len()
    );
    // Notes under the axis: the binning on the first line, anything else on the second.
    let mut binning = format!(
        "Bins span the 0.5%–99.5% quantiles [{}%, {}%]",
        super::fmt_num(h.lo * 100.0),
        super::fmt_num(h.hi * 100.0)
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
    if !inside(h.mean) {
        other.push("The mean is outside the drawn range".to_string());
    }
    if portfolios_left_out > 0 {
        other.push(format!(
            "{} same-date portfolio CAR(s) not included",
            fmt_count(portfolios_left_out)
        ));
    }
    let mut lines = vec![binning + "."];
    if !other.is_empty() {
        lines.push(other.join("; ") + ".");
    }
    for (k, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">{}</text>",
            c((left + right) / 2.0),
            c(bottom + 58.0 + 15.0 * k as f64),
            xml_escape(line)
        );
    }
    let _ = write!(
        out,
        "<text x=\"16\" y=\"{y}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 16 {y})\">events</text>",
        y = c((top + bottom) / 2.0)
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar_row(day: i32, n: u32, mean: Option<f64>, sd: Option<f64>) -> AggregateRow {
        AggregateRow {
            group: "all".into(),
            metric: "ar".into(),
            window: None,
            rel_day: Some(day),
            n,
            mean,
            median: None,
            share_positive: None,
            sd,
        }
    }

    #[test]
    fn caar_path_cumulates_mean_and_variance() {
        let rows = [
            ar_row(1, 4, Some(0.02), Some(0.02)),
            ar_row(0, 4, Some(0.01), Some(0.04)),
            ar_row(2, 1, Some(-0.005), None),
        ];
        let refs: Vec<&AggregateRow> = rows.iter().collect();
        let p = caar_path(&refs);
        assert_eq!(p.len(), 3);
        approx::assert_relative_eq!(p[0].caar, 0.01);
        approx::assert_relative_eq!(p[1].caar, 0.03);
        approx::assert_relative_eq!(p[2].caar, 0.025);
        // day 0: √(0.04²/4) = 0.02; day 1: √(0.0004 + 0.0001) = 0.02236…
        approx::assert_relative_eq!(p[0].half_band.unwrap(), 1.96 * 0.02, epsilon = 1e-15);
        approx::assert_relative_eq!(
            p[1].half_band.unwrap(),
            1.96 * 0.0005f64.sqrt(),
            epsilon = 1e-15
        );
        assert_eq!(p[2].half_band, None);
    }

    #[test]
    fn axis_ticks_are_nice_and_cover() {
        let a = Axis::covering(-0.013, 0.047, 6);
        assert_eq!(a.step, 0.01);
        assert!(a.lo <= -0.013 && a.hi >= 0.047);
        assert_eq!(a.ticks().len(), 8);
        approx::assert_abs_diff_eq!(a.ticks()[0], -0.02, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(a.ticks()[7], 0.05, epsilon = 1e-15);
        assert_eq!(a.percent_label(0.03), "3%");
        let b = Axis::covering(0.0, 0.004, 4);
        assert_eq!(b.percent_label(0.001), "0.1%");
        assert_eq!(b.percent_label(0.0), "0.0%");
    }

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

    #[test]
    fn escape() {
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}

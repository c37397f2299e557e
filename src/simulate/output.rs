//! The rejection table as CSV and as a small hand-written SVG bar chart, drawn with the
//! report's chart toolkit (root element, background, titled bars, legend entries, escaping).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::RejectionRow;
use crate::error::Result;
use crate::output::{create_dir, format_g17, write_atomic};
use crate::report::svg::{background, box_entry, open_root, titled_rect, xml_escape, Root};

/// Columns of the rejection table, in order.
pub const REJECTION_COLUMNS: [&str; 8] = [
    "scenario",
    "test",
    "scope",
    "window",
    "level",
    "rejection_rate",
    "mc_se",
    "replications",
];

/// One CSV field, quoted (RFC 4180, `"` doubled) only when it contains a comma, a quote or a
/// line break, as every evstudy table ([`crate::output::push_csv_field`]).
fn csv_field(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    crate::output::push_csv_field(&mut out, s);
    String::from_utf8(out).expect("quoting keeps UTF-8")
}

fn opt_g17(x: Option<f64>) -> String {
    x.map(format_g17).unwrap_or_default()
}

/// The rejection table as CSV text: header [`REJECTION_COLUMNS`], one line per row in the
/// given order, numbers written with [`format_g17`], NA as an empty field, `\n` line ends.
///
/// # Examples
/// ```
/// use evstudy::simulate::{rejection_table_csv, RejectionRow};
/// let row = RejectionRow { scenario: "independent".into(), test: "bmp_t".into(),
///     scope: "day".into(), window: "0".into(), level: 0.05, rejection_rate: Some(0.25),
///     mc_se: Some(0.125), replications: 12 };
/// assert_eq!(rejection_table_csv(&[row]),
///     "scenario,test,scope,window,level,rejection_rate,mc_se,replications\n\
///      independent,bmp_t,day,0,0.050000000000000003,0.25,0.125,12\n");
/// ```
pub fn rejection_table_csv(rows: &[RejectionRow]) -> String {
    let mut out = REJECTION_COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        let fields = [
            csv_field(&r.scenario),
            csv_field(&r.test),
            csv_field(&r.scope),
            csv_field(&r.window),
            format_g17(r.level),
            opt_g17(r.rejection_rate),
            opt_g17(r.mc_se),
            r.replications.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

const PALETTE: [&str; 6] = [
    "#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860",
];

/// A bar chart of the rejection rates at `level` for one scope and window: one group of bars
/// per test (in row order), one bar per scenario (in order of first appearance, with a
/// legend), a ±1.96·se whisker on each bar, and a dashed reference line at the nominal
/// level. Hand-written SVG, deterministic.
///
/// # Examples
/// ```
/// use evstudy::simulate::{rejection_chart_svg, RejectionRow};
/// let row = |sc: &str, p| RejectionRow { scenario: sc.into(), test: "bmp_t".into(),
///     scope: "day".into(), window: "0".into(), level: 0.05, rejection_rate: Some(p),
///     mc_se: Some(0.01), replications: 1000 };
/// let svg = rejection_chart_svg(&[row("independent", 0.05), row("clustered", 0.3)], "day", "0", 0.05);
/// assert!(svg.starts_with("<svg"));
/// assert_eq!(svg.matches("<rect class=\"bar\"").count(), 2);
/// assert!(svg.contains("clustered"));
/// ```
pub fn rejection_chart_svg(rows: &[RejectionRow], scope: &str, window: &str, level: f64) -> String {
    let sel: Vec<&RejectionRow> = rows
        .iter()
        .filter(|r| r.scope == scope && r.window == window && (r.level - level).abs() < 1e-12)
        .collect();
    let mut tests: Vec<&str> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    for r in &sel {
        if !tests.contains(&r.test.as_str()) {
            tests.push(&r.test);
        }
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
    }
    let g = BarLayout::new(&sel, level, tests.len(), scenarios.len());
    let mut s = String::new();
    open_chart(&mut s, &g, scope, window, level);
    draw_grid(&mut s, &g);
    for (ti, t) in tests.iter().enumerate() {
        draw_test_group(&mut s, &g, &sel, ti, t, &scenarios);
    }
    draw_level(&mut s, &g, level);
    for (si, sc) in scenarios.iter().enumerate() {
        let x = g.left + 150.0 * si as f64;
        box_entry(
            &mut s,
            [&format!("{x:.1}"), "30", "10", "10"],
            &format!("fill=\"{}\"", PALETTE[si % PALETTE.len()]),
            [&format!("{:.1}", x + 14.0), "39"],
            "",
            sc,
        );
        s.push('\n');
    }
    s.push_str("</svg>\n");
    s
}

/// Geometry of the rejection chart: a rate axis from 0 to `y_max` in ticks of `step`, one
/// group of bars per test, one bar per scenario in each group.
struct BarLayout {
    step: f64,
    y_max: f64,
    width: f64,
    height: f64,
    left: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    group_w: f64,
    bar_w: f64,
}

impl BarLayout {
    /// The layout of `n_tests` groups of `n_scenarios` bars; the axis reaches the highest
    /// whisker and at least twice the nominal level (at most 100 %).
    fn new(sel: &[&RejectionRow], level: f64, n_tests: usize, n_scenarios: usize) -> BarLayout {
        let top = sel
            .iter()
            .filter_map(|r| Some(r.rejection_rate? + 1.96 * r.mc_se.unwrap_or(0.0)))
            .fold(2.0 * level, f64::max)
            .min(1.0);
        // y axis up to a multiple of the tick step
        let step = if top <= 0.2 {
            0.02
        } else if top <= 0.5 {
            0.05
        } else {
            0.1
        };
        let y_max = ((top / step).ceil() * step).max(step);
        let (width, height) = (80.0 + 56.0 * n_tests.max(1) as f64 + 20.0, 440.0);
        let (left, right, top_m, bottom) = (60.0, 20.0, 50.0, 100.0);
        let plot_w = width - left - right;
        let group_w = plot_w / n_tests.max(1) as f64;
        BarLayout {
            step,
            y_max,
            width,
            height,
            left,
            top: top_m,
            plot_w,
            plot_h: height - top_m - bottom,
            group_w,
            bar_w: (group_w * 0.8) / n_scenarios.max(1) as f64,
        }
    }

    /// The pixel height of the rate `v` (clamped to the axis).
    fn y_of(&self, v: f64) -> f64 {
        self.top + self.plot_h * (1.0 - (v / self.y_max).clamp(0.0, 1.0))
    }
}

/// The root element, a white background and the title.
fn open_chart(s: &mut String, g: &BarLayout, scope: &str, window: &str, level: f64) {
    let (w, h) = (format!("{:.0}", g.width), format!("{:.0}", g.height));
    open_root(
        s,
        &Root {
            standalone: true,
            size: [&w, &h],
            font_family: "sans-serif",
            font_size: "11",
            extra: "",
        },
    );
    s.push('\n');
    background(s, [&w, &h], "white");
    s.push('\n');
    let title = format!(
        "Rejection rate at {}% — scope {}, {} {}",
        format_g17(level * 100.0),
        scope,
        if scope == "day" { "day" } else { "window" },
        window
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{}</text>",
        g.left,
        xml_escape(&title)
    );
}

/// Grid lines with percent labels, and the y axis line.
fn draw_grid(s: &mut String, g: &BarLayout) {
    let left = g.left;
    let n_ticks = (g.y_max / g.step).round() as usize;
    for k in 0..=n_ticks {
        let v = k as f64 * g.step;
        let y = g.y_of(v);
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}%</text>",
            left + g.plot_w,
            left - 6.0,
            y + 4.0,
            format_g17((v * 100.0 * 1e6).round() / 1e6)
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"{}\" y2=\"{:.1}\" stroke=\"#333\"/>",
        g.top,
        g.top + g.plot_h
    );
}

/// The bars of test number `ti` (one per scenario with a rate, with a ±1.96·se whisker) and
/// the test's name under them.
fn draw_test_group(
    s: &mut String,
    g: &BarLayout,
    sel: &[&RejectionRow],
    ti: usize,
    t: &str,
    scenarios: &[&str],
) {
    let gx = g.left + g.group_w * ti as f64 + g.group_w * 0.1;
    for (si, sc) in scenarios.iter().enumerate() {
        let Some(r) = sel.iter().find(|r| r.test == t && r.scenario == *sc) else {
            continue;
        };
        let Some(p) = r.rejection_rate else { continue };
        let x = gx + g.bar_w * si as f64;
        let y = g.y_of(p);
        titled_rect(
            s,
            "bar",
            [
                &format!("{x:.1}"),
                &format!("{y:.1}"),
                &format!("{:.1}", g.bar_w * 0.92),
                &format!("{:.1}", (g.top + g.plot_h - y).max(0.0)),
            ],
            &format!("fill=\"{}\"", PALETTE[si % PALETTE.len()]),
            &format!(
                "{sc} {t}: {} (se {}, R = {})",
                format_g17(p),
                opt_g17(r.mc_se),
                r.replications
            ),
        );
        s.push('\n');
        if let Some(se) = r.mc_se {
            let cx = x + g.bar_w * 0.46;
            let _ = writeln!(
                s,
                "<line x1=\"{cx:.1}\" x2=\"{cx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#222\"/>",
                g.y_of(p + 1.96 * se),
                g.y_of(p - 1.96 * se)
            );
        }
    }
    let lx = g.left + g.group_w * (ti as f64 + 0.5);
    let ly = g.top + g.plot_h + 12.0;
    let _ = writeln!(
        s,
        "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"end\" transform=\"rotate(-45 {lx:.1} {ly:.1})\">{}</text>",
        xml_escape(t)
    );
}

/// The dashed line at the nominal level, labelled at its right end.
fn draw_level(s: &mut String, g: &BarLayout, level: f64) {
    let yl = g.y_of(level);
    let _ = writeln!(
        s,
        "<line x1=\"{}\" x2=\"{:.1}\" y1=\"{yl:.1}\" y2=\"{yl:.1}\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#c00\" text-anchor=\"end\">nominal {}%</text>",
        g.left,
        g.left + g.plot_w,
        g.left + g.plot_w,
        yl - 4.0,
        format_g17(level * 100.0)
    );
}

/// Writes `<stem>.csv` (the whole table, [`rejection_table_csv`]) and `<stem>.svg` (the 5 %
/// chart of day 0, [`rejection_chart_svg`]) into `dir` (created if needed), atomically, and
/// returns the two paths.
///
/// # Errors
/// [`crate::Error::Io`] naming the folder or file that could not be written.
///
/// # Examples
/// ```
/// use evstudy::simulate::write_rejection_outputs;
/// let dir = std::env::temp_dir().join(format!("evstudy-doc-sim-{}", std::process::id()));
/// let paths = write_rejection_outputs(&dir, "size", &[]).unwrap();
/// assert!(paths[0].ends_with("size.csv") && paths[1].ends_with("size.svg"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_rejection_outputs(
    dir: &Path,
    stem: &str,
    rows: &[RejectionRow],
) -> Result<Vec<PathBuf>> {
    create_dir(dir)?;
    let csv_path = dir.join(format!("{stem}.csv"));
    write_atomic(&csv_path, rejection_table_csv(rows).as_bytes())?;
    let svg_path = dir.join(format!("{stem}.svg"));
    write_atomic(
        &svg_path,
        rejection_chart_svg(rows, "day", "0", 0.05).as_bytes(),
    )?;
    Ok(vec![csv_path, svg_path])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scenario: &str, test: &str, level: f64, p: Option<f64>) -> RejectionRow {
        RejectionRow {
            scenario: scenario.into(),
            test: test.into(),
            scope: "day".into(),
            window: "0".into(),
            level,
            rejection_rate: p,
            mc_se: p.map(|p| (p * (1.0 - p) / 1000.0).sqrt()),
            replications: if p.is_some() { 1000 } else { 0 },
        }
    }

    #[test]
    fn csv_writes_na_as_empty_and_quotes_commas() {
        let csv = rejection_table_csv(&[row("a,b", "csect_t", 0.1, None)]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(line, "\"a,b\",csect_t,day,0,0.10000000000000001,,,0");
    }

    #[test]
    fn chart_has_one_bar_per_test_and_scenario_at_the_level_only() {
        let rows = vec![
            row("independent", "csect_t", 0.05, Some(0.05)),
            row("clustered", "csect_t", 0.05, Some(0.40)),
            row("independent", "bmp_t", 0.05, Some(0.06)),
            row("clustered", "bmp_t", 0.05, None),
            row("independent", "bmp_t", 0.01, Some(0.02)),
        ];
        let svg = rejection_chart_svg(&rows, "day", "0", 0.05);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 3);
        assert!(svg.contains("nominal 5%"));
        assert!(svg.trim_end().ends_with("</svg>"));
        // the tallest bar (40 % + whisker) sets the axis to 45 %
        assert!(svg.contains(">45%</text>"));
    }

    #[test]
    fn bar_height_is_proportional_to_the_rate() {
        let rows = vec![
            row("s", "a", 0.05, Some(0.10)),
            row("s", "b", 0.05, Some(0.05)),
        ];
        let svg = rejection_chart_svg(&rows, "day", "0", 0.05);
        let heights: Vec<f64> = svg
            .match_indices("<rect class=\"bar\"")
            .map(|(i, _)| {
                let rest = &svg[i..];
                let h = rest.split("height=\"").nth(1).unwrap();
                h[..h.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert!((heights[0] / heights[1] - 2.0).abs() < 0.01, "{heights:?}");
    }
}

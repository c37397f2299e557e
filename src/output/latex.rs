//! The headline and differences tables as LaTeX `tabular`s a paper can `\input` (§12):
//! booktabs rules, returns in percent, significance stars from the two-sided p-values.
//! No preamble: the including document needs only `\usepackage{booktabs}`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::tables::{DifferenceRow, HeadlineRow, StudyTables};

/// The note under every table: what the stars mean.
const STARS_NOTE: &str = "$^{*}$ $p<0.10$, $^{**}$ $p<0.05$, $^{***}$ $p<0.01$ (two-sided).";

/// The LaTeX files of `tables` as `(file name, text)`: `headline.tex` always,
/// `differences.tex` when the differences table has rows.
///
/// # Examples
/// ```
/// use evstudy::output::latex_files;
/// use evstudy::tables::StudyTables;
/// let files = latex_files(&StudyTables::default());
/// assert_eq!(files.len(), 1);
/// assert_eq!(files[0].0, "headline.tex");
/// assert!(files[0].1.starts_with("\\begin{tabular}"));
/// ```
pub fn latex_files(tables: &StudyTables) -> Vec<(&'static str, String)> {
    let mut files = vec![("headline.tex", headline_tex(&tables.headline))];
    if !tables.differences.is_empty() {
        files.push(("differences.tex", differences_tex(&tables.differences)));
    }
    files
}

/// Writes the files of [`latex_files`] into `dir` (atomically, file by file) and returns
/// their paths.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) naming the file that could not be written.
pub fn write_latex(dir: &Path, tables: &StudyTables) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (name, text) in latex_files(tables) {
        let path = dir.join(name);
        super::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// `headline.tex`: Group, Window, N, CAAR (%), t (csect), adj. BMP t, GRANK t, % positive.
pub fn headline_tex(rows: &[HeadlineRow]) -> String {
    let header = [
        "Group",
        "Window",
        "N",
        "CAAR (\\%)",
        "t (csect)",
        "adj.\\ BMP t",
        "GRANK t",
        "\\% positive",
    ];
    let body = rows.iter().map(|r| {
        vec![
            latex_escape(&r.group),
            latex_escape(&r.window),
            r.n.to_string(),
            fixed(r.caar.map(|x| 100.0 * x), 2),
            starred(r.csect_t, r.csect_p),
            starred(r.adj_bmp_t, r.adj_bmp_p),
            starred(r.grank_t, r.grank_p),
            fixed(r.share_positive.map(|x| 100.0 * x), 1),
        ]
    });
    tabular("ll", &header, body)
}

/// `differences.tex`: the two groups, window, both sizes, both CAARs and their difference
/// (%), Welch's t and the Mann–Whitney z.
pub fn differences_tex(rows: &[DifferenceRow]) -> String {
    let header = [
        "Group A",
        "Group B",
        "Window",
        "N A",
        "N B",
        "CAAR A (\\%)",
        "CAAR B (\\%)",
        "A $-$ B (\\%)",
        "Welch t",
        "Mann--Whitney z",
    ];
    let pct = |x: Option<f64>| fixed(x.map(|v| 100.0 * v), 2);
    let body = rows.iter().map(|r| {
        vec![
            latex_escape(&r.group_a),
            latex_escape(&r.group_b),
            latex_escape(&r.window),
            r.n_a.to_string(),
            r.n_b.to_string(),
            pct(r.caar_a),
            pct(r.caar_b),
            pct(r.difference),
            starred(r.welch_t, r.welch_p),
            starred(r.mann_whitney_z, r.mann_whitney_p),
        ]
    });
    tabular("lll", &header, body)
}

/// A booktabs tabular: `text_cols` left-aligned columns, the rest right-aligned, the header,
/// the body rows and the stars note spanning the full width.
fn tabular(text_cols: &str, header: &[&str], body: impl Iterator<Item = Vec<String>>) -> String {
    let n = header.len();
    let spec = format!("{text_cols}{}", "r".repeat(n - text_cols.len()));
    let mut s = format!("\\begin{{tabular}}{{{spec}}}\n\\toprule\n");
    s.push_str(&header.join(" & "));
    s.push_str(" \\\\\n\\midrule\n");
    for cells in body {
        s.push_str(&cells.join(" & "));
        s.push_str(" \\\\\n");
    }
    s.push_str("\\bottomrule\n");
    let _ = writeln!(
        s,
        "\\multicolumn{{{n}}}{{l}}{{\\footnotesize {STARS_NOTE}}} \\\\"
    );
    s.push_str("\\end{tabular}\n");
    s
}

/// A statistic with 2 decimals and its significance stars; empty when missing.
fn starred(stat: Option<f64>, p: Option<f64>) -> String {
    let text = fixed(stat, 2);
    if text.is_empty() {
        return text;
    }
    let stars = match p {
        Some(p) if p < 0.01 => "***",
        Some(p) if p < 0.05 => "**",
        Some(p) if p < 0.10 => "*",
        _ => return text,
    };
    format!("{text}$^{{{stars}}}$")
}

/// `x` with `decimals` fixed decimals, a minus sign as `$-$`, no sign on a rounded zero;
/// empty for a missing or non-finite value.
fn fixed(x: Option<f64>, decimals: usize) -> String {
    let Some(x) = x.filter(|v| v.is_finite()) else {
        return String::new();
    };
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(abs) if abs.bytes().all(|b| b == b'0' || b == b'.') => abs.to_string(),
        Some(abs) => format!("$-${abs}"),
        None => s,
    }
}

/// `text` with the LaTeX special characters escaped for text mode.
///
/// # Examples
/// ```
/// use evstudy::output::latex_escape;
/// assert_eq!(latex_escape("a_b & 5%"), "a\\_b \\& 5\\%");
/// ```
pub fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '_' | '%' | '&' | '#' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            latex_escape(r"a_b%c&d#e$f{g}h~i^j\k"),
            r"a\_b\%c\&d\#e\$f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"
        );
        assert_eq!(
            latex_escape("category:export_control"),
            r"category:export\_control"
        );
    }

    #[test]
    fn numbers_and_stars() {
        assert_eq!(fixed(Some(-0.001), 2), "0.00");
        assert_eq!(fixed(Some(-1.234), 2), "$-$1.23");
        assert_eq!(fixed(Some(f64::NAN), 2), "");
        assert_eq!(starred(Some(2.0), Some(0.0999)), "2.00$^{*}$");
        assert_eq!(starred(Some(2.5), Some(0.05)), "2.50$^{*}$");
        assert_eq!(starred(Some(2.6), Some(0.049)), "2.60$^{**}$");
        assert_eq!(starred(Some(3.0), Some(0.001)), "3.00$^{***}$");
        assert_eq!(starred(Some(0.5), Some(0.6)), "0.50");
        assert_eq!(starred(Some(0.5), None), "0.50");
        assert_eq!(starred(None, Some(0.001)), "");
    }

    #[test]
    fn headline_table_exact_text() {
        let rows = vec![
            HeadlineRow {
                group: "category:export_control".into(),
                window: "0:5".into(),
                n: 12,
                caar: Some(-0.012345),
                share_positive: Some(0.25),
                csect_t: Some(-2.71828),
                csect_p: Some(0.02),
                adj_bmp_t: Some(-1.7),
                adj_bmp_p: Some(0.09),
                grank_t: Some(0.3),
                grank_p: Some(0.77),
            },
            HeadlineRow {
                group: "all".into(),
                window: "-1:1".into(),
                n: 1,
                caar: Some(0.03154),
                share_positive: Some(1.0),
                csect_t: None,
                csect_p: None,
                adj_bmp_t: Some(4.0),
                adj_bmp_p: Some(0.0001),
                grank_t: None,
                grank_p: None,
            },
        ];
        let expected = "\\begin{tabular}{llrrrrrr}\n\
\\toprule\n\
Group & Window & N & CAAR (\\%) & t (csect) & adj.\\ BMP t & GRANK t & \\% positive \\\\\n\
\\midrule\n\
category:export\\_control & 0:5 & 12 & $-$1.23 & $-$2.72$^{**}$ & $-$1.70$^{*}$ & 0.30 & 25.0 \\\\\n\
all & -1:1 & 1 & 3.15 &  & 4.00$^{***}$ &  & 100.0 \\\\\n\
\\bottomrule\n\
\\multicolumn{8}{l}{\\footnotesize $^{*}$ $p<0.10$, $^{**}$ $p<0.05$, $^{***}$ $p<0.01$ (two-sided).} \\\\\n\
\\end{tabular}\n";
        assert_eq!(headline_tex(&rows), expected);
    }

    #[test]
    fn differences_table_exact_text() {
        let row = DifferenceRow {
            group_a: "a&b".into(),
            group_b: "c".into(),
            window: "0:5".into(),
            n_a: 3,
            n_b: 0,
            caar_a: Some(0.0125),
            caar_b: None,
            difference: None,
            welch_t: None,
            welch_df: None,
            welch_p: None,
            mann_whitney_u: None,
            mann_whitney_z: Some(-1.96),
            mann_whitney_p: Some(0.05),
        };
        let text = differences_tex(&[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "\\begin{tabular}{lllrrrrrrr}");
        assert_eq!(
            lines[4],
            "a\\&b & c & 0:5 & 3 & 0 & 1.25 &  &  &  & $-$1.96$^{*}$ \\\\"
        );
        assert_eq!(
            lines[6],
            "\\multicolumn{10}{l}{\\footnotesize ".to_string() + STARS_NOTE + "} \\\\"
        );
        assert_eq!(lines.len(), 8);
    }
}

//! End-to-end tests of the report: golden tables, big studies, well-formed markup.

use std::path::Path;

use super::document::balanced_chunks;
use super::format::{fmt_count, fmt_num};
use super::svg::{self, xml_escape};
use super::*;
use crate::output::read_csv_tables;
use crate::tables::{AggregateRow, CarRow, Stage, StudyTables, TestRow};

/// Checks that `xml` is well formed as far as tags go: every start tag is closed in order,
/// attributes are quoted, no stray `<` or `&`.
pub(crate) fn assert_well_formed(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let bytes = xml.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let end = xml[i..].find('>').map(|e| i + e).expect("unclosed tag");
                let tag = &xml[i + 1..end];
                assert!(!tag.contains('<'), "'<' inside tag: {tag}");
                assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack
                        .pop()
                        .unwrap_or_else(|| panic!("close without open: {name}"));
                    assert_eq!(open, name.trim(), "mismatched close tag");
                } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
                    let name = tag.split_whitespace().next().unwrap_or("").to_string();
                    assert!(!name.is_empty(), "empty tag");
                    stack.push(name);
                }
                i = end + 1;
            }
            b'&' => {
                let semi = xml[i..].find(';').expect("bare &");
                let entity = &xml[i + 1..i + semi];
                assert!(
                    ["amp", "lt", "gt", "quot", "#39", "#160"].contains(&entity),
                    "unknown entity &{entity};"
                );
                i += semi + 1;
            }
            b'>' => panic!("stray '>' at byte {i}"),
            _ => i += 1,
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

fn golden() -> Option<StudyTables> {
    let shared = crate::shared_data::shared_dir()?;
    Some(read_csv_tables(&shared.join("golden/spec/b_panel")).expect("golden tables"))
}

fn config() -> serde_json::Value {
    serde_json::json!({"model": "market_model", "windows": ["-1:1", "0:3"], "note": "a < b & c"})
}

#[test]
fn svgs_are_well_formed_with_expected_series() {
    let Some(tables) = golden() else { return };
    let r = render_report(&tables, &config(), "b_panel");
    // 1 group → caar + aar; 2 windows → 2 CAR charts; 8 analysed events → 8 event charts.
    let names: Vec<&str> = r.svgs.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected = vec![
        "fig01_caar_all.svg".to_string(),
        "fig02_aar_all.svg".to_string(),
        "fig03_car_-1_1.svg".to_string(),
        "fig04_car_0_3.svg".to_string(),
    ];
    expected.extend((1..=8).map(|k| format!("fig{:02}_event_E{k}.svg", k + 4)));
    assert_eq!(names, expected);
    // Each event chart has one dot per complete CAR of its event.
    for k in 1..=8 {
        let id = format!("E{k}");
        let dots = tables
            .cars
            .iter()
            .filter(|c| c.event_id == id && c.car.is_some())
            .count();
        assert_eq!(
            r.svgs[k + 3].1.matches("<circle class=\"dot\"").count(),
            dots
        );
    }
    for (name, svg) in &r.svgs {
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{name}"
        );
        assert_well_formed(svg);
    }
    let caar = &r.svgs[0].1;
    assert_eq!(caar.matches("<polyline class=\"caar\"").count(), 1);
    let points = caar
        .split("<polyline class=\"caar\" points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(
        points.split(' ').count(),
        5,
        "one point per day of H = [-1, 3]"
    );
    assert_eq!(caar.matches("<path class=\"band\"").count(), 1);
    assert_eq!(r.svgs[1].1.matches("<rect class=\"bar\"").count(), 5);
    let car_rows = |w: &str| {
        tables
            .cars
            .iter()
            .filter(|c| c.window == w && c.car.is_some())
            .count()
    };
    assert_eq!(
        r.svgs[2].1.matches("<rect class=\"bar\"").count(),
        car_rows("-1:1")
    );
    assert_eq!(
        r.svgs[3].1.matches("<rect class=\"bar\"").count(),
        car_rows("0:3")
    );
    assert_eq!(car_rows("-1:1"), 10);
    assert_eq!(car_rows("0:3"), 9); // E6 0:3 incomplete
    assert!(r.svgs[3].1.contains("NA (incomplete window)"));
    assert!(r.svgs[2].1.contains("E1 · S1"));
}

#[test]
fn caar_chart_last_point_matches_sum_of_aar() {
    let Some(tables) = golden() else { return };
    let ar: Vec<&AggregateRow> = tables
        .aggregate
        .iter()
        .filter(|r| r.metric == "ar")
        .collect();
    let path = svg::caar_path(&ar);
    let direct: f64 = ar.iter().filter_map(|r| r.mean).sum();
    approx::assert_relative_eq!(path[4].caar, direct, max_relative = 1e-12);
    let var: f64 = ar.iter().map(|r| r.sd.unwrap().powi(2) / r.n as f64).sum();
    approx::assert_relative_eq!(
        path[4].half_band.unwrap(),
        1.96 * var.sqrt(),
        max_relative = 1e-12
    );
}

#[test]
fn html_is_self_contained_and_complete() {
    let Some(tables) = golden() else { return };
    let r = render_report(&tables, &config(), "b_panel <test>");
    let html = &r.html;
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "external reference in HTML"
    );
    for bad in ["<script", "<link", "<img", "@import", "url("] {
        assert!(!html.contains(bad), "{bad}");
    }
    for attr in html
        .split("href=\"")
        .skip(1)
        .chain(html.split("src=\"").skip(1))
    {
        assert!(
            attr.starts_with('#'),
            "non-local reference: {}",
            &attr[..20.min(attr.len())]
        );
    }
    assert_well_formed(
        &html
            .replace("<!DOCTYPE html>", "")
            .replace("<meta charset=\"utf-8\">", "")
            .replace(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                "",
            )
            .replace("<br>", "<br/>")
            .replace("<wbr>", "<wbr/>"),
    );
    assert_eq!(html.matches("<svg").count(), 12);
    assert!(html.contains("b_panel &lt;test&gt;"));
    assert!(
        html.contains("a &lt; b &amp; c"),
        "configuration shown escaped"
    );
    // Tests table: day 0 csect_t of the golden file is 0.9... with p; check stars and a value.
    let csect_day0 = tables
        .tests
        .iter()
        .find(|t| t.test == "csect_t" && t.rel_day == Some(0))
        .unwrap();
    assert!(html.contains(&fmt_num(csect_day0.statistic.unwrap())));
    assert!(html.contains("PF:XNYS:2024-06-26:IDX"));
    assert!(html.contains("too_few_estimation_returns"));
    assert!(html.contains("1 price row(s) on dates that are not XNYS sessions, first 2024-06-29"));
    for section in [
        "id=\"summary\"",
        "id=\"charts\"",
        "id=\"tests\"",
        "id=\"aggregate\"",
        "id=\"day0\"",
        "id=\"exclusions\"",
        "id=\"configuration\"",
    ] {
        assert!(html.contains(section), "{section}");
    }
}

#[test]
fn markdown_links_svgs_and_has_tables() {
    let Some(tables) = golden() else { return };
    let r = render_report(&tables, &config(), "b_panel");
    for (name, _) in &r.svgs {
        assert!(r.markdown.contains(&format!("]({name})")), "{name}");
    }
    assert!(r
        .markdown
        .contains("| test | day -1 | day 0 | day 1 | day 2 | day 3 |"));
    assert!(r
        .markdown
        .contains("| E9 | S4 | estimation | too_few_estimation_returns | M=9 < min_est=30 |"));
    // p-values of stars: every *** cell has p < 0.01.
    let mut starred = 0;
    assert!(
        !r.markdown.contains("***"),
        "stars must be escaped in Markdown"
    );
    for line in r.markdown.lines().filter(|l| l.contains("\\*\\*\\*")) {
        for cell in line.split('|').filter(|c| c.contains("\\*\\*\\* (")) {
            let p: f64 = cell
                .split("\\*\\*\\* (")
                .nth(1)
                .unwrap()
                .trim()
                .trim_end_matches(')')
                .parse()
                .unwrap();
            assert!(p < 0.01, "{cell}");
            starred += 1;
        }
    }
    assert!(
        starred >= 5,
        "expected several p < 0.01 cells, found {starred}"
    );
}

#[test]
fn report_is_deterministic_and_written() {
    let Some(tables) = golden() else { return };
    let a = render_report(&tables, &config(), "b_panel");
    let b = render_report(&tables.clone(), &config(), "b_panel");
    assert_eq!(a, b);
    let dir = tempfile::tempdir().unwrap();
    write_report(&dir.path().join("rep"), &a).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rep/report.html")).unwrap(),
        a.html
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rep/fig01_caar_all.svg")).unwrap(),
        a.svgs[0].1
    );
}

/// A plausible day-0 table for the golden panel: day 0 = the date of relative day 0 in
/// `abnormal_returns`, status from `exclusions` (sample data for the visual check only).
fn sample_day0(dir: &Path, tables: &StudyTables) -> Vec<crate::tables::Day0Row> {
    let text = std::fs::read_to_string(dir.join("events.csv")).expect("events.csv");
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (event_id, security, date, time) = (f[0], f[1], f[2], f[3]);
        let day0 = tables
            .abnormal_returns
            .iter()
            .find(|r| r.event_id == event_id && r.security == security && r.rel_day == 0)
            .and_then(|r| r.date);
        let announced = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
        let status = tables
            .exclusions
            .iter()
            .find(|x| {
                x.event_id == event_id
                    && matches!(x.stage, Stage::Input | Stage::Day0 | Stage::Estimation)
            })
            .map(|x| x.reason.as_str().to_string())
            .unwrap_or_else(|| "ok".to_string());
        let local_time = match time {
            "" => "12:00",
            "before_open" => "09:30",
            "after_close" => "16:00",
            t => t,
        };
        let (h, m) = local_time.split_once(':').expect("time");
        let utc_hour: u32 = h.parse::<u32>().expect("hour") + 4; // EDT, summer dates only
        out.push(crate::tables::Day0Row {
            event_id: event_id.into(),
            security: security.into(),
            exchange: "XNYS".into(),
            event_instant_utc: format!("{date}T{utc_hour:02}:{m}Z"),
            event_instant_local: format!("{date} {local_time}"),
            day0,
            shift_days: day0.map(|d| (d - announced).num_days()),
            shift_sessions: day0.map(|_| 0), // every shift in this panel crosses no session
            status: status.into(),
        });
    }
    out
}

#[test]
fn day0_table_and_chunks() {
    let mut t = StudyTables::default();
    // Pair 1 of the synthetic big study: shifted two days, status ok.
    t.day0.push(synthetic_day0(1, "E4", "S4"));
    let r = render_report(&t, &serde_json::json!({}), "t");
    assert!(r.markdown.contains(
        "| E4 | S4 | XNYS | 2024-07-06T16:00Z | 2024-07-06 12:00 | 2024-07-08 | 2 | 0 | ok |"
    ));
    let sizes = |n: usize, max: usize| {
        balanced_chunks(&vec![0u8; n], max)
            .iter()
            .map(|c| c.len())
            .collect::<Vec<_>>()
    };
    assert_eq!(sizes(7, 8), [7]);
    assert_eq!(sizes(9, 8), [5, 4]);
    assert_eq!(sizes(26, 8), [7, 7, 7, 5]);
    assert!(sizes(0, 8).is_empty());
}

/// Synthetic tables of a big study: `pairs` event–security pairs, one window "-1:1" (every
/// 7th CAR NA), a model fit and a day-0 row per pair, one exclusion per pair spread over
/// stages and reasons, and `clusters` same-date portfolios with day-0 and window tests.
fn big_tables(pairs: usize, clusters: usize) -> StudyTables {
    let mut t = StudyTables::default();
    for k in 0..pairs {
        let (event_id, security) = (format!("E{k:05}"), format!("S{:04}", k % 977));
        // A deterministic, spread-out CAR in about ±10 %, with outliers every 1,000th pair.
        let car = ((k as f64 * 0.618_033_988_75).fract() - 0.5) * 0.2
            + if k % 1000 == 3 { 2.0 } else { 0.0 };
        t.cars.push(window_car(
            &event_id,
            &security,
            (k % 7 != 0).then_some(car),
        ));
        t.model_fits.push(synthetic_fit(k, &event_id, &security));
        t.day0.push(synthetic_day0(k, &event_id, &security));
        t.exclusions
            .push(synthetic_exclusion(k, event_id, security));
    }
    for c in 0..clusters {
        let cluster = format!("PF:XNYS:{c:05}:IDX");
        t.cars.push(window_car(&cluster, PORTFOLIO, Some(5.0)));
        for (scope, rel_day, window) in [("day", Some(0), None), ("car", None, Some("-1:1"))] {
            t.tests.push(TestRow {
                group: "all".into(),
                scope: scope.parse().unwrap(),
                window: window.map(String::from),
                rel_day,
                test: crate::stats::TestKind::PortfolioT,
                statistic: Some(if c % 2 == 0 { 2.5 } else { -0.5 }),
                p_value: Some(if c % 2 == 0 { 0.01 } else { 0.6 }),
                df: None,
                n: 5,
                cluster: Some(cluster.clone()),
                extras: Vec::new(),
            });
        }
    }
    t
}

/// A CAR row of window "-1:1" in group "all" (se 0.01, 3 days).
fn window_car(event_id: &str, security: &str, car: Option<f64>) -> CarRow {
    CarRow {
        event_id: event_id.into(),
        security: security.into(),
        group: "all".into(),
        window: "-1:1".into(),
        car,
        car_se: Some(0.01),
        car_t: None,
        car_p: None,
        scar: None,
        bhar: None,
        n_days: 3,
        extras: Vec::new(),
    }
}

/// The market-model fit of pair `k`: n_est cycles through 200..=240, beta through 1.0..=1.9.
fn synthetic_fit(k: usize, event_id: &str, security: &str) -> crate::tables::ModelFitRow {
    crate::tables::ModelFitRow {
        event_id: event_id.into(),
        security: security.into(),
        group: "all".into(),
        model: "market_model".into(),
        n_est: 200 + (k % 41) as u32,
        df: 198,
        sigma: Some(0.02),
        alpha: Some(0.0),
        beta: Some(1.0 + (k % 10) as f64 / 10.0),
        r2: Some(0.3),
        extras: Vec::new(),
    }
}

/// The day-0 row of pair `k`: shifted two days, status `max_shift_exceeded` every 100th pair.
fn synthetic_day0(k: usize, event_id: &str, security: &str) -> crate::tables::Day0Row {
    crate::tables::Day0Row {
        event_id: event_id.into(),
        security: security.into(),
        exchange: "XNYS".into(),
        event_instant_utc: "2024-07-06T16:00Z".into(),
        event_instant_local: "2024-07-06 12:00".into(),
        day0: chrono::NaiveDate::from_ymd_opt(2024, 7, 8),
        shift_days: Some(2),
        shift_sessions: Some(0),
        status: if k % 100 == 0 {
            "max_shift_exceeded"
        } else {
            "ok"
        }
        .into(),
    }
}

/// The exclusion row of pair `k`: stage and reason cycle with period 4.
fn synthetic_exclusion(
    k: usize,
    event_id: String,
    security: String,
) -> crate::tables::ExclusionRow {
    let (stage, reason) = match k % 4 {
        0 => (Stage::EventDay, "missing_return"),
        1 => (Stage::Car, "incomplete_window"),
        2 => (Stage::EventDay, "missing_return"),
        _ => (Stage::Input, "unknown_security"),
    };
    crate::tables::ExclusionRow {
        event_id,
        security,
        stage,
        reason: reason.parse().expect("a known reason"),
        detail: "synthetic".into(),
        order: k as i64,
    }
}

/// The counts written in the `<title>` of every histogram bin of an SVG.
fn bin_counts(svg: &str) -> Vec<usize> {
    svg.split("<rect class=\"bin\"")
        .skip(1)
        .map(|rest| {
            let title = rest
                .split("<title>")
                .nth(1)
                .unwrap()
                .split("</title>")
                .next()
                .unwrap();
            title.rsplit(": ").next().unwrap().parse().unwrap()
        })
        .collect()
}

/// The (last) CAR chart of a window in a report.
fn car_chart_of(r: &Report) -> &(String, String) {
    r.svgs
        .iter()
        .rev()
        .find(|(n, _)| n.contains("_car_"))
        .expect("a CAR chart")
}

#[test]
fn big_study_report_is_bounded_and_says_what_it_left_out() {
    let tables = big_tables(5_000, 300);
    let r = render_report(&tables, &config(), "big");
    assert!(r.html.len() < 1_000_000, "HTML {} bytes", r.html.len());
    assert!(
        r.markdown.len() < 500_000,
        "Markdown {} bytes",
        r.markdown.len()
    );
    for (name, svg) in &r.svgs {
        assert!(svg.len() < 50_000, "{name}: {} bytes", svg.len());
        assert_well_formed(svg);
    }
    // The CAR chart is a histogram whose bins count every complete CAR.
    let (name, car_svg) = car_chart_of(&r);
    assert_eq!(name, "fig01_car_-1_1.svg");
    assert!(!car_svg.contains("<rect class=\"bar\""));
    // Pairs only: the 300 same-date portfolio CARs (all +5) are left out and said so.
    let complete = tables
        .cars
        .iter()
        .filter(|c| c.car.is_some() && c.security != PORTFOLIO)
        .count();
    assert_eq!(complete, 5_000 - 5_000usize.div_ceil(7));
    assert!(car_svg.contains("300 same-date portfolio CAR(s) not included"));
    let counts = bin_counts(car_svg);
    assert_eq!(counts.len(), svg::HIST_BINS);
    assert_eq!(counts.iter().sum::<usize>(), complete);
    assert_eq!(car_svg.matches("<line class=\"zero\"").count(), 1);
    assert_eq!(car_svg.matches("<line class=\"mean\"").count(), 1);
    assert!(car_svg.contains(&format!("n = {}, mean", fmt_count(complete))));
    assert!(car_svg.contains(&format!(
        "{} NA (incomplete window)",
        fmt_count(5_000 - complete)
    )));
    // The four complete outliers at about +2 lie above the 99.5 % quantile: counted in the
    // last bin, whose title says how many values above the range it holds.
    let outliers = tables
        .cars
        .iter()
        .filter(|c| c.car.is_some_and(|v| v > 1.0) && c.security != PORTFOLIO)
        .count();
    assert_eq!(outliers, 4);
    assert!(counts[svg::HIST_BINS - 1] >= outliers);
    let last_title = car_svg.rsplit("<rect class=\"bin\"").next().unwrap();
    let above: usize = last_title
        .split(" above: ")
        .next()
        .unwrap()
        .rsplit(" and ")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(above >= outliers && above <= counts[svg::HIST_BINS - 1]);
    assert!(car_svg.contains("are counted in the edge bins"));
    // Truncated tables say how many rows they show and where the rest is.
    for (what, table) in [
        ("model fits", "model_fits"),
        ("day-0 mappings", "day0_mapping"),
        ("exclusion rows", "exclusions"),
    ] {
        let note = format!(
            "Showing the first 200 of 5,000 {what} (in the table's order); the full table is in {table}.csv"
        );
        assert!(r.markdown.contains(&note), "{note}");
        assert!(r.html.contains(&xml_escape(&note)), "{note}");
    }
    assert!(r
        .markdown
        .contains("| E00199 | S0199 | all | market_model |"));
    assert!(!r
        .markdown
        .contains("| E00200 | S0200 | all | market_model |"));
    // Exclusions by stage and reason, in stage order, counted independently.
    let count = |stage: Stage, reason: &str| {
        tables
            .exclusions
            .iter()
            .filter(|x| x.stage == stage && x.reason == reason)
            .count()
    };
    assert_eq!(count(Stage::EventDay, "missing_return"), 2_500);
    let counts_table = format!(
        "| stage | reason | rows |\n| --- | --- | ---: |\n| input | unknown_security | {} |\n| event_day | missing_return | {} |\n| car | incomplete_window | {} |\n",
        count(Stage::Input, "unknown_security"),
        count(Stage::EventDay, "missing_return"),
        count(Stage::Car, "incomplete_window")
    );
    assert!(r.markdown.contains(&counts_table), "{counts_table}");
    assert!(r.markdown.contains("| status max_shift_exceeded | 50 |"));
    assert!(r.markdown.contains("| status ok | 4950 |"));
    // Portfolio tests: a count table over all 300 portfolios, then the first 50 listed.
    assert!(r
        .markdown
        .contains("| p < 0.05, statistic > 0 | 150 | 150 |"));
    assert!(r.markdown.contains("| p < 0.05, statistic < 0 | 0 | 0 |"));
    assert!(r
        .markdown
        .contains("Showing the first 50 of 300 portfolios"));
    assert!(r.markdown.contains("| PF:XNYS:00049:IDX |"));
    assert!(!r.markdown.contains("| PF:XNYS:00050:IDX |"));
    // Model-fit distribution: n_est cycles through 200..=240.
    assert!(r.markdown.contains("| n_est | 5000 | 200 |"), "n_est row");
}

#[test]
fn car_chart_switches_to_histogram_above_the_limit() {
    let at_limit = big_tables(CAR_CHART_MAX_PAIRS, 0);
    let r = render_report(&at_limit, &config(), "t");
    let car = &car_chart_of(&r).1;
    let complete = at_limit.cars.iter().filter(|c| c.car.is_some()).count();
    assert_eq!(car.matches("<rect class=\"bar\"").count(), complete);
    assert!(!car.contains("class=\"bin\""));
    assert!(!r.markdown.contains("Showing the first"));
    let above = big_tables(CAR_CHART_MAX_PAIRS + 1, 0);
    let r = render_report(&above, &config(), "t");
    let car = &car_chart_of(&r).1;
    assert_eq!(car.matches("<rect class=\"bar\"").count(), 0);
    assert_eq!(
        bin_counts(car).iter().sum::<usize>(),
        above.cars.iter().filter(|c| c.car.is_some()).count()
    );
    assert_well_formed(&car_chart_of(&r).1);
    assert!(r
        .markdown
        .contains("![Distribution of CAR, window -1:1, over 61 event–security pairs"));
}

/// Writes the report of the golden b_panel outputs to `<temp dir>/evreport` for visual inspection.
#[test]
#[ignore]
fn write_sample_report() {
    let Some(shared) = crate::shared_data::shared_dir() else {
        return;
    };
    let dir = shared.join("golden/spec/b_panel");
    let mut tables = read_csv_tables(&dir).expect("golden tables");
    tables.day0 = sample_day0(&dir, &tables);
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).expect("run.json"))
            .expect("json");
    let report = render_report(&tables, &config, "Event study — golden b_panel");
    write_report(&std::env::temp_dir().join("evreport"), &report).expect("write report");
}

/// A hand-made study of two events and two securities, with names, titles and a headline.
fn hand_made_events() -> StudyTables {
    use crate::tables::{EventRow, HeadlineRow, Label, SecurityRow};
    let event = |id: &str, date: &str, category: &str, title: &str| EventRow {
        event_id: id.into(),
        date: Some(date.parse().unwrap()),
        time: Label::default(),
        tz: Label::default(),
        category: category.into(),
        group: Label::default(),
        title: title.into(),
        n_pairs: 2,
        n_analysed: 2,
    };
    let security = |id: &str, name: &str| SecurityRow {
        security: id.into(),
        name: name.into(),
        exchange: String::new(),
        benchmark: String::new(),
        security_group: String::new(),
    };
    let car = |e: &str, s: &str, w: &str, v: f64, t: f64, p: f64| CarRow {
        event_id: e.into(),
        security: s.into(),
        group: "all".into(),
        window: w.into(),
        car: Some(v),
        car_se: Some(0.01),
        car_t: Some(t),
        car_p: Some(p),
        scar: None,
        bhar: None,
        n_days: 1,
        extras: Vec::new(),
    };
    let mut cars = Vec::new();
    for (e, s, v0, v5) in [
        ("DS", "NVDA", -0.1697, -0.12),
        ("DS", "0981.HK", 0.031, 0.08),
        ("BAN", "NVDA", -0.02, -0.05),
        ("BAN", "0981.HK", 0.004, 0.01),
    ] {
        cars.push(car(
            e,
            s,
            "0:0",
            v0,
            v0 / 0.0125,
            if v0.abs() > 0.1 { 0.0001 } else { 0.3 },
        ));
        cars.push(car(e, s, "0:5", v5, v5 / 0.03, 0.2));
    }
    StudyTables {
        cars,
        events: vec![
            event("DS", "2025-01-27", "model_release", "DeepSeek R1 release"),
            event("BAN", "2023-10-17", "export_control", "BIS rule update"),
        ],
        securities: vec![security("NVDA", "NVIDIA"), security("0981.HK", "SMIC")],
        headline: vec![HeadlineRow {
            group: "all".into(),
            window: "0:0".into(),
            n: 4,
            caar: Some(-0.0386),
            share_positive: Some(0.5),
            csect_t: Some(-0.9),
            csect_p: Some(0.43),
            adj_bmp_t: None,
            adj_bmp_p: None,
            grank_t: None,
            grank_p: None,
        }],
        ..StudyTables::default()
    }
}

#[test]
fn report_reads_top_down_with_per_event_results_in_percent() {
    let tables = hand_made_events();
    let info = serde_json::json!({"files_written": 17});
    let r = render_report(&tables, &info, "Hand-made");
    let md = &r.markdown;
    // Order: summary paragraph, headline, findings, per-event results, appendix.
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("missing {s}"));
    assert!(
        at("2 events and 2 securities: 4 event–security pairs, of which 4 analysed and 0 excluded")
            < at("## Headline results")
    );
    assert!(at("## Headline results") < at("## Findings"));
    assert!(at("## Findings") < at("## Per-event results"));
    assert!(at("## Per-event results") < at("## Appendix"));
    // The files written: 17 tables, and the report's own files (2 + its charts).
    assert!(md.contains(&format!(
        "This run wrote 17 table files and this report ({} files: report.md, report.html and {} charts).",
        r.svgs.len() + 2,
        r.svgs.len()
    )));
    // The only group is `all`: no group column in the headline table; CAAR in %.
    assert!(md.contains("| CAAR 0:0 (%) |\n| ---: |\n| -3.860 (t -0.9000, n 4) |"));
    assert!(md.contains("Pooled over all events, no CAAR is significant: -3.860 % over 0:0"));
    // Per event: heading with date, title, category; a row per security by name; CAR in %.
    assert!(md.contains("### 2025-01-27 DeepSeek R1 release (model_release; DS)"));
    assert!(md.contains(
        "| NVIDIA | -16.97\\*\\*\\* (t -13.58, p 0.0001000) | -12.00 (t -4.000, p 0.2000) |"
    ));
    assert!(md.contains("| SMIC | 3.100 (t 2.480, p 0.3000) |"));
    let events: Vec<&str> = r
        .svgs
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.contains("_event_"))
        .collect();
    assert_eq!(events.len(), 2);
    let ds = &r
        .svgs
        .iter()
        .find(|(n, _)| n.ends_with("_event_DS.svg"))
        .unwrap()
        .1;
    assert_well_formed(ds);
    assert!(ds.contains("NVIDIA: CAR 0:0 -16.97 %"));
    // HTML: the appendix is collapsed, its parts keep their anchors.
    assert!(r
        .html
        .contains("<details id=\"configuration\">\n<summary>Study configuration</summary>"));
    assert!(!r.html.contains("<details open"));
}

#[test]
fn report_of_an_old_folder_falls_back_to_ids_and_has_no_headline() {
    let mut tables = hand_made_events();
    tables.events.clear();
    tables.securities.clear();
    tables.headline.clear();
    let r = render_report(&tables, &config(), "Old");
    assert!(!r.markdown.contains("## Headline results"));
    assert!(!r.markdown.contains("## Findings"));
    assert!(r.markdown.contains("### DS\n"));
    assert!(r.markdown.contains("| NVDA | -16.97"));
    assert!(r
        .markdown
        .contains("2 events and 2 securities: 0 event–security pairs analysed"));
    assert!(r.markdown.contains("This report has"));
}

/// A headline CAAR whose raw p-value (0.04) is below 5 % and whose Benjamini–Hochberg
/// adjusted p-value over a family of five (0.04, 0.045, 0.9, 0.95, 0.99) is not below 10 %:
/// p_(1) = min over k ≥ 1 of p_(k)·5/k = min(0.2, 0.1125, 1.5, 1.1875, 0.99) = 0.1125.
fn adjusted_above_raw() -> StudyTables {
    use crate::tables::HeadlineRow;
    use crate::vocab::{Scope, TestKind};
    let mut tables = hand_made_events();
    let family = [
        ("0:0", 0.04),
        ("0:5", 0.045),
        ("-1:1", 0.9),
        ("-5:5", 0.95),
        ("0:20", 0.99),
    ];
    let raw: Vec<Option<f64>> = family.iter().map(|(_, p)| Some(*p)).collect();
    let bh = crate::stats::benjamini_hochberg(&raw);
    approx::assert_abs_diff_eq!(bh[0].unwrap(), 0.1125, epsilon = 1e-15);
    tables.tests = family
        .iter()
        .zip(&bh)
        .map(|((w, p), adj)| TestRow {
            group: "all".into(),
            scope: Scope::Car,
            window: Some(w.to_string()),
            rel_day: None,
            test: TestKind::CsectT,
            statistic: Some(2.1),
            p_value: Some(*p),
            df: Some(3.0),
            n: 4,
            cluster: None,
            extras: vec![("p_bh".into(), *adj)],
        })
        .collect();
    tables.headline = vec![HeadlineRow {
        csect_t: Some(2.1),
        csect_p: Some(0.04),
        ..tables.headline[0].clone()
    }];
    tables
}

#[test]
fn stars_follow_the_marked_adjusted_p_value() {
    let tables = adjusted_above_raw();
    let raw = render_report(&tables, &config(), "t").markdown;
    assert!(raw.contains("| -3.860\\*\\* (t 2.100, n 4) |"), "{raw}");
    assert!(raw.contains("Pooled over all events, the CAAR is significant in 1 of 1 windows"));
    assert!(raw.contains("stars from the cross-sectional t (methodology §8.1)"));
    let info =
        serde_json::json!({"config": {"multiple_testing": {"methods": ["bh"], "mark": "bh"}}});
    let marked = render_report(&tables, &info, "t").markdown;
    assert!(marked.contains("| -3.860 (t 2.100, n 4) |"), "{marked}");
    assert!(marked.contains(
        "stars on Benjamini–Hochberg-adjusted p-values (family: test, methodology §8.9) of the \
         cross-sectional t"
    ));
    assert!(marked.contains(
        "Pooled over all events, no CAAR is significant: -3.860 % over 0:0 (t = 2.100, \
         p = 0.04000, p_bh = 0.1125, n = 4)"
    ));
    // the appendix shows the marked p-value under each statistic
    assert!(marked.contains("2.100 (0.1125)"), "{marked}");
    let holm = serde_json::json!({"config": {"multiple_testing": {"mark": "holm", "family": "test_window"}}});
    let md = render_report(&tables, &holm, "t").markdown;
    assert!(md.contains("Holm-adjusted p-values (family: test_window, methodology §8.9)"));
    // no p_holm column: the CAAR is not marked significant
    assert!(md.contains("| -3.860 (t 2.100, n 4) |"));
}

/// The demo study with `[multiple_testing] methods = ["bh"], mark = "bh"`: every CAAR cell
/// of the headline section carries the stars of the p_bh of its `tests` row.
#[test]
fn demo_headline_stars_agree_with_p_bh() {
    use crate::vocab::{Scope, TestKind};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = root.join("datasets/demo");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo.join("study.toml"))
        .unwrap()
        .replace(
            "\"../events/",
            &format!("\"{}/", root.join("datasets/events").display()),
        )
        .replace(
            "\"securities.csv\"",
            &format!("\"{}\"", demo.join("securities.csv").display()),
        )
        .replace(
            "\"prices.csv\"",
            &format!("\"{}\"", demo.join("prices.csv").display()),
        )
        + "\n[multiple_testing]\nmethods = [\"bh\"]\nmark = \"bh\"\n";
    let path = dir.path().join("study.toml");
    std::fs::write(&path, text).unwrap();
    let out = crate::Study::from_toml_file(&path).unwrap().run().unwrap();
    let report = render_report(&out.tables, &out.run_info, "demo");
    let md = &report.markdown;
    let section = &md[md.find("## Headline results").unwrap()..md.find("## Findings").unwrap()];
    let lines: Vec<Vec<&str>> = section
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("| ---"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    let (header, body) = lines.split_first().unwrap();
    let expected_stars = |p: Option<f64>| match p {
        Some(p) if p < 0.01 => 3,
        Some(p) if p < 0.05 => 2,
        Some(p) if p < 0.1 => 1,
        _ => 0,
    };
    let (mut checked, mut differ) = (0, 0);
    for h in &out.tables.headline {
        let row = body
            .iter()
            .find(|cells| cells[0].replace("\\*", "*") == h.group)
            .unwrap();
        let col = header
            .iter()
            .position(|c| *c == format!("CAAR {} (%)", h.window))
            .unwrap();
        let test = out
            .tables
            .tests
            .iter()
            .filter(|t| t.group == h.group && t.scope == Scope::Car && t.test == TestKind::CsectT)
            .find(|t| t.window.as_deref() == Some(h.window.as_str()))
            .unwrap();
        let p_bh = test.extras.iter().find(|(n, _)| n == "p_bh").unwrap().1;
        let shown = row[col].matches("\\*").count();
        assert_eq!(
            shown,
            expected_stars(p_bh),
            "{} {}: {}",
            h.group,
            h.window,
            row[col]
        );
        checked += 1;
        differ += usize::from(expected_stars(test.p_value) != shown);
    }
    assert_eq!(checked, out.tables.headline.len());
    // the adjustment changes some stars of the demo, so the check has teeth
    assert!(differ > 0);
}

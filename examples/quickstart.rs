//! The README's library example: run the demo study and print the CAAR of each window.
//! `cargo run --release --example quickstart`
use evstudy::study::Study;

fn main() -> Result<(), evstudy::Error> {
    let study = Study::from_toml_file("datasets/demo/study.toml".as_ref())?;
    let out = study.run()?;
    println!(
        "{} pairs analysed, {} exclusion rows",
        out.summary.pairs_analysed,
        out.tables.exclusions.len()
    );
    for row in out
        .tables
        .aggregate
        .iter()
        .filter(|r| r.metric == "car" && r.group.starts_with("security_group:"))
    {
        let w = row.window.as_deref().unwrap_or("");
        println!(
            "{:<36} CAAR[{w}] = {:+.4} (n = {})",
            row.group,
            row.mean.unwrap_or(f64::NAN),
            row.n
        );
    }
    for (name, df) in out.dataframes()? {
        println!("{name}: {} rows x {} columns", df.height(), df.width());
    }
    Ok(())
}

//! `evstudy simulate` — size and power of every test (Brown–Warner style). The usage and
//! examples are `evstudy simulate --help`.
//!
//! With `--config`, the panel is the study's own securities (aligned returns on their
//! calendars, its model, estimation and event windows) and placebo events are drawn at random
//! dates (Brown & Warner 1985): the rejection rates say how far each test can be trusted on
//! that data.
//!
//! Writes `simulation.csv` (rejection rates at 1 %, 5 %, 10 % with Monte Carlo standard errors,
//! every test, day 0 and every window) and `simulation.svg` (5 % rejection rates at day 0) to
//! `--out`. Deterministic for a given `--seed`.

use anyhow::bail;
use evstudy::abnormal::Window;
use evstudy::design::{defaults, Design};
use evstudy::output::{write_folder, FolderOptions, Previous};
use evstudy::simulate::{
    simulate, simulate_placebo, write_rejection_outputs, Effect, EventClustering, PlaceboConfig,
    RejectionRow, ShockDistribution, SimulationConfig,
};
use evstudy::stats::{BootstrapSettings, BootstrapWeights};
use std::path::PathBuf;

/// `--clustering`: how day 0 is placed, or both placements one after the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClusteringArg {
    /// Every pair draws its own day 0.
    Independent,
    /// All pairs of a replication share one day 0.
    Clustered,
    /// Independent, then clustered.
    Both,
    /// The pairs share --event-dates G dates per replication, pair j on date j mod G
    /// (synthetic panels only).
    Dates,
}

impl ClusteringArg {
    /// The scenarios to run: name and placement. `--event-dates` goes with `dates` only.
    fn scenarios(
        self,
        event_dates: Option<usize>,
    ) -> anyhow::Result<Vec<(String, EventClustering)>> {
        let independent = ("independent".to_string(), EventClustering::Independent);
        let clustered = ("clustered".to_string(), EventClustering::Clustered);
        Ok(match (self, event_dates) {
            (ClusteringArg::Dates, Some(dates)) => vec![(
                format!("shared_dates_{dates}"),
                EventClustering::SharedDates { dates },
            )],
            (ClusteringArg::Dates, None) => {
                bail!("--clustering dates needs --event-dates G (the number of shared dates)")
            }
            (_, Some(_)) => bail!("--event-dates goes with --clustering dates"),
            (ClusteringArg::Independent, None) => vec![independent],
            (ClusteringArg::Clustered, None) => vec![clustered],
            (ClusteringArg::Both, None) => vec![independent, clustered],
        })
    }
}

/// Arguments of `evstudy simulate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evstudy simulate --clustering both --replications 1000 --pairs 50 --factor-weight 0.1
  evstudy simulate --effect mean:0.01 --replications 500      # power against a 1 % day-0 effect
  evstudy simulate --effect variance:2 --shocks t:4           # Patell vs BMP under event-induced variance
  evstudy simulate --clustering dates --event-dates 20 --pairs 500 --bootstrap 199   # bootstrap size under same-date clustering
  evstudy simulate --config datasets/demo/study.toml --clustering both --replications 300   # placebo events on a study's panel")]
pub struct SimulateArgs {
    /// Day-0 placement.
    #[arg(long, value_enum, default_value_t = ClusteringArg::Independent)]
    pub clustering: ClusteringArg,
    /// With `--clustering dates`: the number G of distinct event dates per replication.
    #[arg(long, value_name = "G")]
    pub event_dates: Option<usize>,
    /// Monte Carlo replications.
    #[arg(long, default_value_t = defaults::SIMULATION_REPLICATIONS)]
    pub replications: usize,
    /// Event–security pairs per replication.
    #[arg(long, default_value_t = defaults::SIMULATION_PAIRS)]
    pub pairs: usize,
    /// Length of the simulated calendar in sessions.
    #[arg(long, default_value_t = defaults::SIMULATION_DAYS)]
    pub days: usize,
    /// Random seed.
    #[arg(long, default_value_t = defaults::SIMULATION_SEED)]
    pub seed: u64,
    /// normal or t:DF (Student t, unit variance).
    #[arg(long, default_value = "normal", value_parser = parse_shocks)]
    pub shocks: ShockDistribution,
    /// Weight of a common factor in every security's return (cross-correlation).
    #[arg(long, default_value_t = 0.0)]
    pub factor_weight: f64,
    /// Share of randomly missing closes.
    #[arg(long, default_value_t = 0.0)]
    pub missing: f64,
    /// none, mean:X (X added on day 0), window:X (X per day of each window), variance:F.
    #[arg(long, default_value = "none", value_parser = parse_effect)]
    pub effect: Effect,
    /// Event window a:b (repeat; default: the study defaults).
    #[arg(long = "window", allow_hyphen_values = true)]
    pub windows: Vec<Window>,
    /// Estimation window a:b (default: the study default).
    #[arg(long, allow_hyphen_values = true)]
    pub estimation: Option<Window>,
    /// Output folder.
    #[arg(long, short, default_value = defaults::SIMULATION_OUT)]
    pub out: PathBuf,
    /// Study file: placebo events on its real panel instead of a synthetic panel.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Also measure the wild cluster bootstrap test `wild_boot_t` with B Rademacher draws
    /// (synthetic panels only; its rows follow the battery's).
    #[arg(long, value_name = "B")]
    pub bootstrap: Option<usize>,
}

fn parse_shocks(text: &str) -> anyhow::Result<ShockDistribution> {
    Ok(match text {
        "normal" => ShockDistribution::Normal,
        s if s.starts_with("t:") => ShockDistribution::StudentT {
            df: s[2..]
                .parse()
                .map_err(|_| anyhow::anyhow!("--shocks t:DF needs a number, got '{s}'"))?,
        },
        other => bail!("--shocks must be normal or t:DF, got '{other}'"),
    })
}

fn parse_effect(text: &str) -> anyhow::Result<Effect> {
    let (kind, value) = text.split_once(':').unwrap_or((text, ""));
    let x = || {
        value
            .parse::<f64>()
            .map_err(|_| anyhow::anyhow!("--effect {text}: expected a number after ':'"))
    };
    Ok(match kind {
        "none" => Effect::None,
        "mean" => Effect::MeanShift { day0: x()? },
        "window" => Effect::WindowShift { per_day: x()? },
        "variance" => Effect::VarianceIncrease { factor: x()? },
        _ => bail!("--effect must be none, mean:X, window:X or variance:F, got '{text}'"),
    })
}

/// Run the command. The computation runs inside the output folder's
/// [`evstudy::output::write_folder`] (lock held from the start, one complete folder).
pub fn run(args: SimulateArgs) -> anyhow::Result<i32> {
    let study = match &args.config {
        Some(path) => {
            let cfg = evstudy::study::StudyConfig::from_toml_file(path)?;
            let design = Design::from_file(&cfg)?;
            Some((path.as_path(), cfg, design))
        }
        None => None,
    };
    let inputs = match &study {
        Some((path, _, design)) => super::run::input_paths(design, Some(path)),
        None => Vec::new(),
    };
    let options = FolderOptions {
        inputs: &inputs,
        previous: Previous::Keep(&|_| false),
    };
    let files = write_folder(&args.out, &options, |staging| -> anyhow::Result<_> {
        let rows = match &study {
            Some((path, cfg, design)) => placebo_rows(path, cfg, design, &args)?,
            None => synthetic_rows(&args)?,
        };
        Ok(write_rejection_outputs(staging, "simulation", &rows)?)
    })?;
    for f in files {
        let name = f.file_name().unwrap_or_default();
        say!("written: {}", args.out.join(name).display());
    }
    Ok(0)
}

/// The rejection rates on synthetic panels.
fn synthetic_rows(args: &SimulateArgs) -> anyhow::Result<Vec<RejectionRow>> {
    let base = SimulationConfig::default();
    let mut rows = Vec::new();
    for (name, clustering) in args.clustering.scenarios(args.event_dates)? {
        let cfg = SimulationConfig {
            scenario: name.clone(),
            seed: args.seed,
            replications: args.replications,
            pairs: args.pairs,
            days: args.days,
            estimation: args.estimation.unwrap_or(base.estimation),
            windows: if args.windows.is_empty() {
                base.windows.clone()
            } else {
                args.windows.clone()
            },
            shocks: args.shocks,
            common_factor_weight: args.factor_weight,
            missing_share: args.missing,
            clustering,
            effect: args.effect,
            bootstrap: args.bootstrap.map(|replications| BootstrapSettings {
                replications,
                seed: args.seed,
                weights: BootstrapWeights::Rademacher,
            }),
            ..base.clone()
        };
        let result = simulate(&cfg)?;
        say!(
            "{name}: {} replications, mean events {:.1}, mean r̄ {:.3}",
            result.replications,
            result.mean_events,
            result.mean_rbar
        );
        print_day0_summary(&result.rows)?;
        rows.extend(result.rows);
    }
    Ok(rows)
}

/// The rejection rates of placebo events on a study's panel.
fn placebo_rows(
    path: &std::path::Path,
    cfg: &evstudy::study::StudyConfig,
    design: &Design,
    args: &SimulateArgs,
) -> anyhow::Result<Vec<RejectionRow>> {
    let (engine, stats) = (design.engine_config(), design.stats_config());
    let panel = evstudy::study::run_study(cfg)?.series;
    say!(
        "placebo panel: {} securities from {}",
        panel.len(),
        path.display()
    );
    let mut rows = Vec::new();
    for (name, clustering) in args.clustering.scenarios(args.event_dates)? {
        let pc = PlaceboConfig {
            scenario: format!("placebo_{name}"),
            seed: args.seed,
            replications: args.replications,
            pairs: args.pairs,
            clustering,
            effect: args.effect,
        };
        let result = simulate_placebo(&panel, &engine, &stats, &pc)?;
        say!(
            "{}: {} replications, mean events {:.1}, mean r̄ {:.3}",
            pc.scenario,
            result.replications,
            result.mean_events,
            result.mean_rbar
        );
        print_day0_summary(&result.rows)?;
        rows.extend(result.rows);
    }
    Ok(rows)
}

/// Print the 5 % rejection rates at day 0, one line per test.
fn print_day0_summary(rows: &[RejectionRow]) -> anyhow::Result<()> {
    for r in rows
        .iter()
        .filter(|r| r.scope == "day" && (r.level - 0.05).abs() < 1e-12)
    {
        say!(
            "  day 0  {:<13} rejects {:>6}  (MC s.e. {})",
            r.test,
            r.rejection_rate
                .map(|p| format!("{:.1} %", 100.0 * p))
                .unwrap_or_else(|| "NA".into()),
            r.mc_se
                .map(|s| format!("{:.1} %", 100.0 * s))
                .unwrap_or_else(|| "NA".into())
        );
    }
    Ok(())
}

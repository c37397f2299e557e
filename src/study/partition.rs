//! Partitioned execution, the map step (`docs/scale.md`): the engine's jobs split by
//! security into K partitions; [`run_partition`] runs a study up to day 0 as a plain run does,
//! then the engine on the jobs of one partition only, and writes them as a partial-result
//! folder that [`merge_partials`](super::merge_partials) combines with the others.

use super::compute::engine_jobs;
use super::pairs::Pair;
use super::run::{prepare, Prepared};
use super::{InputFile, PhaseTiming, StudyConfig};
use crate::abnormal::{BatchPart, Engine, PairBatch, PairJob};
use crate::error::{Error, Result};
use crate::output::{parquet_bytes, write_atomic, write_folder, FolderOptions};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The version of the partial-result folder's layout (`partial.json`, `engine.parquet`).
pub const PARTIAL_FORMAT: u32 = 1;

/// The manifest of a partial-result folder.
pub(crate) const MANIFEST: &str = "partial.json";

/// The engine results of a partial-result folder.
pub(crate) const ENGINE: &str = "engine.parquet";

/// Partition i of K (1 ≤ i ≤ K): the securities whose [`partition_of`] is i.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    index: usize,
    count: usize,
}

impl Partition {
    /// Partition `index` of `count`.
    ///
    /// # Errors
    /// [`Error::Config`] unless 1 ≤ index ≤ count.
    ///
    /// # Examples
    /// ```
    /// use evstudy::study::Partition;
    /// let p = Partition::new(2, 7)?;
    /// assert_eq!((p.index(), p.count()), (2, 7));
    /// assert_eq!(p.to_string(), "2/7");
    /// assert_eq!("2/7".parse::<Partition>()?, p);
    /// assert!(Partition::new(0, 7).is_err() && "8/7".parse::<Partition>().is_err());
    /// # Ok::<(), evstudy::Error>(())
    /// ```
    pub fn new(index: usize, count: usize) -> Result<Partition> {
        if index == 0 || index > count {
            return Err(Error::config(format!(
                "a partition must be i/K with 1 ≤ i ≤ K, got {index}/{count}"
            )));
        }
        Ok(Partition { index, count })
    }

    /// i, from 1.
    pub fn index(self) -> usize {
        self.index
    }

    /// K.
    pub fn count(self) -> usize {
        self.count
    }

    /// Whether the security `ticker` belongs to this partition.
    pub fn holds(self, ticker: &str) -> bool {
        partition_of(ticker, self.count) == self.index
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Partition {
    type Err = Error;

    /// `i/K`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Partition> {
        let bad = || Error::config(format!("a partition must be i/K with 1 ≤ i ≤ K, got {s:?}"));
        let (i, k) = s.split_once('/').ok_or_else(bad)?;
        let i: usize = i.trim().parse().map_err(|_| bad())?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        Partition::new(i, k).map_err(|_| bad())
    }
}

/// The partition (1..=K) of a security (methodology §12.2): a function of its ticker alone,
/// so that every worker agrees without reading the others' data, and the same on every
/// machine and in every version.
///
/// # Formula
/// FNV-1a 64 (Fowler, Noll & Vo) of the ticker's UTF-8 bytes: h₀ = 14695981039346656037,
/// hⱼ = (hⱼ₋₁ XOR byteⱼ) · 1099511628211 mod 2⁶⁴; partition = (h mod K) + 1.
///
/// # Examples
/// ```
/// use evstudy::study::partition_of;
/// // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c = 12638187200555641996.
/// assert_eq!(partition_of("a", 7), (12638187200555641996u64 % 7) as usize + 1);
/// assert_eq!(partition_of("AAPL", 1), 1);
/// assert!((1..=7).contains(&partition_of("600519.SS", 7)));
/// ```
pub fn partition_of(ticker: &str, count: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ticker.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % count.max(1) as u64) as usize + 1
}

/// `partial.json`: what a partial-result folder holds and what it was made from, so that a
/// merge refuses parts of different runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartialManifest {
    /// [`PARTIAL_FORMAT`].
    pub format: u32,
    /// The version of evstudy that wrote it (a merge needs the same).
    pub evstudy_version: String,
    /// i.
    pub partition: usize,
    /// K.
    pub partitions: usize,
    /// How a security's partition is found ([`partition_of`]).
    pub partition_function: String,
    /// SHA-256 of the study configuration as resolved (JSON, as `run.json` has it).
    pub config_sha256: String,
    /// SHA-256 of the input files' sizes and SHA-256 as `run.json` lists them (paths left
    /// out: the same files may be mounted elsewhere on another machine).
    pub inputs_sha256: String,
    /// The engine's jobs of the whole run (pairs with a day 0).
    pub jobs_total: usize,
    /// The jobs of this partition (rows of `engine.parquet`).
    pub jobs: usize,
    /// SHA-256 of the whole run's job list (event, security, day 0, in job order).
    pub jobs_sha256: String,
    /// Jobs of this partition the engine analysed (the others are engine exclusions).
    pub pairs_analysed: usize,
    /// SHA-256 of `engine.parquet`.
    pub engine_sha256: String,
}

/// What identifies a run's job list: the fields of [`PartialManifest`] every partition and
/// the merge compute alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunIdentity {
    pub config_sha256: String,
    pub inputs_sha256: String,
    pub jobs_total: usize,
    pub jobs_sha256: String,
}

impl RunIdentity {
    /// The identity of a run prepared up to day 0.
    pub fn of(cfg: &StudyConfig, run: &Prepared, jobs: &[PairJob], todo: &[usize]) -> RunIdentity {
        let config = serde_json::to_vec(&comparable(cfg)).unwrap_or_default();
        RunIdentity {
            config_sha256: sha256_hex(&config),
            inputs_sha256: inputs_digest(run.inputs()),
            jobs_total: jobs.len(),
            jobs_sha256: jobs_digest(&run.set.pairs, &run.set.events, todo),
        }
    }
}

/// The configuration as its digest sees it: the input paths canonical (a worker may be given
/// `study.toml`, the driver `/mnt/shared/study.toml`: the same files), the output folders left
/// out (each command writes its own).
fn comparable(cfg: &StudyConfig) -> StudyConfig {
    let mut c = cfg.clone();
    let canon = |p: &mut PathBuf| {
        if let Ok(abs) = std::fs::canonicalize(&*p) {
            *p = abs;
        }
    };
    let canon_text = |t: &mut String| {
        if let Ok(abs) = std::fs::canonicalize(&*t) {
            *t = abs.display().to_string();
        }
    };
    for source in &mut c.prices {
        canon(&mut source.path);
    }
    if let Some(f) = &mut c.factors {
        canon(&mut f.path);
    }
    if let Some(e) = &mut c.events {
        canon(e);
    }
    if let Some(f) = &mut c.securities_file {
        canon(f);
    }
    if let Some(p) = &mut c.prefer {
        canon_text(p);
    }
    canon_text(&mut c.holidays);
    c.out = None;
    if let Some(b) = &mut c.backtest {
        b.out = None;
    }
    c
}

/// SHA-256 of `bytes`, lower-case hexadecimal.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    crate::output::hex(&Sha256::digest(bytes))
}

/// SHA-256 of the lines `size sha256` of the input files, in `run.json` order.
fn inputs_digest(files: &[InputFile]) -> String {
    let text: String = files
        .iter()
        .map(|f| format!("{} {}\n", f.bytes, f.sha256))
        .collect();
    sha256_hex(text.as_bytes())
}

/// SHA-256 of the lines `event_id TAB ticker TAB day-0 session TAB series` of the jobs.
fn jobs_digest(pairs: &[Pair], events: &[crate::calendar::EventRecord], todo: &[usize]) -> String {
    let mut h = Sha256::new();
    for &i in todo {
        let p = &pairs[i];
        let day0 = p.day0.map(|d| d.index).unwrap_or(0);
        let line = format!(
            "{}\t{}\t{}\t{}\n",
            events[p.event].event_id, p.security, day0, p.sec
        );
        h.update(line.as_bytes());
    }
    crate::output::hex(&h.finalize())
}

/// The result of [`run_partition`]: the engine's results of one partition's jobs.
#[derive(Debug, Clone)]
pub struct PartialRun {
    /// What `partial.json` says (`engine_sha256` is set by [`PartialRun::write`]).
    pub manifest: PartialManifest,
    /// The wall time and peak memory of the phases up to the engine (as `run --timings`).
    pub timings: Vec<PhaseTiming>,
    part: BatchPart,
}

impl PartialRun {
    /// Writes the partial-result folder `dir` (`partial.json`, `engine.parquet`, and a
    /// `run.json` listing both with their SHA-256) through [`write_folder`], replacing a
    /// previous one.
    ///
    /// # Errors
    /// Those of [`write_folder`]; [`Error::Polars`] when the frame cannot be encoded.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let df = self.part.batch.to_frame(&self.part.jobs, ENGINE)?;
        let bytes = parquet_bytes("engine", &df)?;
        let mut manifest = self.manifest.clone();
        manifest.engine_sha256 = sha256_hex(&bytes);
        let manifest_text = pretty_json(&manifest, MANIFEST)?;
        let run_json = serde_json::json!({
            "evstudy_version": env!("CARGO_PKG_VERSION"),
            "partial": MANIFEST,
        });
        let run_text = pretty_json(&run_json, "run.json")?;
        write_folder(dir, &FolderOptions::REPLACE, |staging| {
            write_atomic(&staging.join(ENGINE), &bytes)?;
            write_atomic(&staging.join(MANIFEST), manifest_text.as_bytes())?;
            write_atomic(&staging.join("run.json"), run_text.as_bytes())
        })
    }
}

/// `value` as pretty JSON with a final newline (`file` named in errors).
fn pretty_json<T: serde::Serialize>(value: &T, file: &str) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| Error::file(file, e.to_string()))
}

/// Runs the study up to day 0 as [`run_study`](super::run_study) does (every input read, so
/// every partition agrees on the job list), then the engine on the jobs of the securities of
/// `partition` only. Write the result with [`PartialRun::write`]; combine the K folders with
/// [`merge_partials`](super::merge_partials).
///
/// # Errors
/// Those of [`run_study`](super::run_study) before the engine.
///
/// # Examples
/// ```no_run
/// use evstudy::study::{merge_partials, run_partition, AbnormalReturnRows, Partition, Study};
/// let cfg = Study::from_toml_file("datasets/demo/study.toml".as_ref())?.config;
/// let mut folders = Vec::new();
/// for i in 1..=4 {
///     let dir = std::path::PathBuf::from(format!("out/part-{i}"));
///     run_partition(&cfg, Partition::new(i, 4)?)?.write(&dir)?;
///     folders.push(dir);
/// }
/// let merged = merge_partials(&cfg, &folders, AbnormalReturnRows::Held)?;
/// println!("{} pairs analysed", merged.summary.pairs_analysed);
/// # Ok::<(), evstudy::Error>(())
/// ```
pub fn run_partition(cfg: &StudyConfig, partition: Partition) -> Result<PartialRun> {
    let mut run = prepare(cfg)?;
    let all = engine_jobs(&run.set.pairs);
    let identity = RunIdentity::of(cfg, &run, &all.jobs, &all.pairs);
    let mine: Vec<usize> = (0..all.jobs.len())
        .filter(|&j| partition.holds(&run.set.pairs[all.pairs[j]].security))
        .collect();
    let jobs: Vec<PairJob> = mine.iter().map(|&j| all.jobs[j]).collect();
    let batch: PairBatch = Engine::new(&run.plan.engine).analyse_batch(&run.universe.series, &jobs);
    let analysed = (0..batch.len()).filter(|&i| batch.get(i).is_ok()).count();
    run.lap("compute");
    Ok(PartialRun {
        timings: run.timings().to_vec(),
        manifest: PartialManifest {
            format: PARTIAL_FORMAT,
            evstudy_version: env!("CARGO_PKG_VERSION").to_string(),
            partition: partition.index(),
            partitions: partition.count(),
            partition_function: "fnv1a64(ticker utf-8) mod K + 1".to_string(),
            config_sha256: identity.config_sha256,
            inputs_sha256: identity.inputs_sha256,
            jobs_total: identity.jobs_total,
            jobs: mine.len(),
            jobs_sha256: identity.jobs_sha256,
            pairs_analysed: analysed,
            engine_sha256: String::new(),
        },
        part: BatchPart { jobs: mine, batch },
    })
}

//! Partitioned execution, the reduce step (`docs/scale.md`): the partial-result folders of K
//! partitions combined into the outputs of one run.

use super::compute::engine_jobs;
use super::partition::{
    sha256_hex, PartialManifest, Partition, RunIdentity, ENGINE, MANIFEST, PARTIAL_FORMAT,
};
use super::run::prepare;
use super::{study_output, AbnormalReturnRows, StudyConfig, StudyOutput};
use crate::abnormal::{Assembly, BatchPart, PairBatch};
use crate::error::{Error, Result};
use polars::prelude::{ParquetReader, SerReader};
use std::path::{Path, PathBuf};

/// Runs the study up to day 0 as [`run_study`](super::run_study) does (the same inputs: the
/// merge reads the price files as every partition does), checks that `partials` are the K
/// partitions of this very run, assembles the engine's batch from them instead of running
/// the engine, and runs the phases after the engine unchanged: the tables are those of a plain
/// run, byte for byte once written. `run_info` records the folders read (`partials`).
///
/// # Errors
/// [`Error::File`] naming a folder that is not a partial-result folder, is of another K, of
/// another configuration, other inputs or another job list, repeats a partition, or whose
/// `engine.parquet` is damaged; [`Error::Config`] naming the missing partitions; those of
/// [`Study::run`](super::Study::run).
///
/// # Examples
/// ```no_run
/// use evstudy::study::{merge_partials, AbnormalReturnRows, Study};
/// let cfg = Study::from_toml_file("datasets/demo/study.toml".as_ref())?.config;
/// let parts: Vec<std::path::PathBuf> = (1..=4).map(|i| format!("out/part-{i}").into()).collect();
/// let merged = merge_partials(&cfg, &parts, AbnormalReturnRows::Held)?;
/// println!("{} tests", merged.tables.tests.len());
/// # Ok::<(), evstudy::Error>(())
/// ```
pub fn merge_partials(
    cfg: &StudyConfig,
    partials: &[PathBuf],
    ar: AbnormalReturnRows,
) -> Result<StudyOutput> {
    let mut run = prepare(cfg)?;
    let all = engine_jobs(&run.set.pairs);
    let identity = RunIdentity::of(cfg, &run, &all.jobs, &all.pairs);
    let manifests = partials
        .iter()
        .map(|dir| read_manifest(dir))
        .collect::<Result<Vec<_>>>()?;
    check_set(partials, &manifests, &identity)?;
    // One part in memory at a time besides the assembled batch.
    let mut assembly = Assembly::new(all.jobs.len(), &run.plan.engine);
    for (dir, m) in partials.iter().zip(&manifests) {
        let part = read_engine(dir, m, &run.plan.engine)?;
        let partition = Partition::new(m.partition, m.partitions)?;
        let stray = part.jobs.iter().find(|&&j| {
            j >= all.pairs.len() || !partition.holds(&run.set.pairs[all.pairs[j]].security)
        });
        if part.jobs.len() != m.jobs || stray.is_some() {
            return Err(Error::file(
                show(dir, ENGINE),
                format!("does not hold the jobs of partition {partition} of this run"),
            ));
        }
        assembly.add(part)?;
    }
    let batch = assembly.finish()?;
    run.accept(&all.pairs, &batch);
    let mut out = study_output(cfg, run.finish(batch, ar)?)?;
    out.run_info["partials"] = serde_json::json!(partials
        .iter()
        .zip(&manifests)
        .map(|(dir, m)| serde_json::json!({
            "path": dir.display().to_string(),
            "partition": format!("{}/{}", m.partition, m.partitions),
            "engine_sha256": m.engine_sha256,
        }))
        .collect::<Vec<_>>());
    Ok(out)
}

/// `dir/name` as named in messages.
fn show(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// The `partial.json` of a folder.
fn read_manifest(dir: &Path) -> Result<PartialManifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::file(
            dir.display().to_string(),
            format!(
                "not a partial-result folder of `evstudy run --partition` (no {MANIFEST}: {e})"
            ),
        )
    })?;
    let m: PartialManifest = serde_json::from_str(&text)
        .map_err(|e| Error::file(show(dir, MANIFEST), format!("unreadable: {e}")))?;
    if m.format != PARTIAL_FORMAT || m.evstudy_version != env!("CARGO_PKG_VERSION") {
        return Err(Error::file(
            show(dir, MANIFEST),
            format!(
                "written by evstudy {} (format {}); this is evstudy {} (format {PARTIAL_FORMAT}): \
                 run every partition and the merge with one version",
                m.evstudy_version,
                m.format,
                env!("CARGO_PKG_VERSION")
            ),
        ));
    }
    Ok(m)
}

/// The folders are partitions 1..=K of one K, each once, of the run `identity`.
fn check_set(
    dirs: &[PathBuf],
    manifests: &[PartialManifest],
    identity: &RunIdentity,
) -> Result<()> {
    let Some(first) = manifests.first() else {
        return Err(Error::config(
            "merge needs the partial-result folders of every partition",
        ));
    };
    let k = first.partitions;
    let mut seen: Vec<Option<&Path>> = vec![None; k + 1];
    for (dir, m) in dirs.iter().zip(manifests) {
        let name = dir.display().to_string();
        let refuse = |why: String| Err(Error::file(name.clone(), why));
        if m.partitions != k || m.partition == 0 || m.partition > k {
            return refuse(format!(
                "is partition {}/{}, but {} is of {k} partitions: merge the folders of one \
                 partitioned run",
                m.partition,
                m.partitions,
                dirs[0].display()
            ));
        }
        if let Some(other) = seen[m.partition] {
            return refuse(format!(
                "is partition {}/{k}, as {} is: give each partition once",
                m.partition,
                other.display()
            ));
        }
        seen[m.partition] = Some(dir);
        if m.config_sha256 != identity.config_sha256 {
            return refuse("was made from another study configuration than this merge's".into());
        }
        if m.inputs_sha256 != identity.inputs_sha256 {
            return refuse("was made from other input files (their SHA-256 differ)".into());
        }
        if m.jobs_total != identity.jobs_total || m.jobs_sha256 != identity.jobs_sha256 {
            return refuse(format!(
                "was made from another job list ({} jobs; this run has {})",
                m.jobs_total, identity.jobs_total
            ));
        }
    }
    let missing: Vec<String> = (1..=k)
        .filter(|&i| seen[i].is_none())
        .map(|i| format!("{i}/{k}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::config(format!(
            "partition {} missing: merge needs the folder of every partition",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// The `engine.parquet` of a folder, checked against the SHA-256 its manifest records.
fn read_engine(
    dir: &Path,
    m: &PartialManifest,
    engine: &crate::abnormal::EngineConfig,
) -> Result<BatchPart> {
    let path = dir.join(ENGINE);
    let name = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    if sha256_hex(&bytes) != m.engine_sha256 {
        return Err(Error::file(
            name,
            format!(
                "its SHA-256 differs from the one in {MANIFEST}: damaged or changed since written"
            ),
        ));
    }
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::Polars {
            file: name.clone(),
            message: e.to_string(),
        })?;
    PairBatch::from_frame(&df, engine, &name)
}

//! The fixed vocabularies of a study design and of the exclusions table, as enums whose
//! `as_str()` is the text written to the outputs and read from `study.toml`. The test
//! vocabulary ([`TestKind`], [`Scope`], [`Metric`]) is defined beside the tests in `stats` and
//! re-exported here, so every fixed list of the project is reachable from this module.

use crate::error::{Error, Result};
use std::str::FromStr;

pub use crate::stats::{Metric, Scope, TestKind};
pub use crate::tables::Stage;

/// The value of a fixed vocabulary whose name is `name`.
pub(crate) fn by_name<T: Copy>(all: &[T], as_str: fn(T) -> &'static str, name: &str) -> Option<T> {
    all.iter().copied().find(|&v| as_str(v) == name)
}

/// How events are grouped for aggregates and tests (the `aggregate_by` setting, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grouping {
    /// The event's `group` column (events without one form the group `all`).
    Group,
    /// All events together.
    All,
    /// The event's `category` column.
    Category,
    /// The security's group (`[[securities]] group`).
    SecurityGroup,
    /// Each event on its own (its securities form the group).
    Event,
}

impl Grouping {
    /// Every grouping, in the order the error message lists them.
    pub const ALL: [Grouping; 5] = [
        Grouping::Group,
        Grouping::All,
        Grouping::Category,
        Grouping::SecurityGroup,
        Grouping::Event,
    ];

    /// The name in `study.toml`.
    ///
    /// # Examples
    /// ```
    /// use evstudy::vocab::Grouping;
    /// assert_eq!(Grouping::SecurityGroup.as_str(), "security_group");
    /// assert_eq!("event".parse::<Grouping>().unwrap(), Grouping::Event);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Group => "group",
            Grouping::All => "all",
            Grouping::Category => "category",
            Grouping::SecurityGroup => "security_group",
            Grouping::Event => "event",
        }
    }
}

impl FromStr for Grouping {
    type Err = Error;

    fn from_str(s: &str) -> Result<Grouping> {
        by_name(&Grouping::ALL, Grouping::as_str, s).ok_or_else(|| {
            Error::config(format!(
                "unknown aggregate_by '{s}' (group, all, category, security_group, event)"
            ))
        })
    }
}

/// One entry of `aggregate_by` (§8): a single grouping, or a combination of two or more
/// distinct groupings written `category*security_group`, whose labels are the single
/// labels joined by `*` (the pairs in every one of the single groups).
///
/// # Examples
/// ```
/// use evstudy::vocab::{Grouping, GroupingSpec};
/// let single: GroupingSpec = "category".parse().unwrap();
/// assert_eq!(single, Grouping::Category);
/// let cross: GroupingSpec = "category*security_group".parse().unwrap();
/// assert_eq!(cross.parts(), [Grouping::Category, Grouping::SecurityGroup]);
/// assert!("category*category".parse::<GroupingSpec>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupingSpec {
    /// The groupings combined, in the order written; never empty, no repeats.
    parts: Vec<Grouping>,
}

impl GroupingSpec {
    /// The groupings combined, in the order written (one for a single grouping).
    pub fn parts(&self) -> &[Grouping] {
        &self.parts
    }
}

impl From<Grouping> for GroupingSpec {
    fn from(g: Grouping) -> GroupingSpec {
        GroupingSpec { parts: vec![g] }
    }
}

impl PartialEq<Grouping> for GroupingSpec {
    fn eq(&self, other: &Grouping) -> bool {
        self.parts == [*other]
    }
}

impl FromStr for GroupingSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<GroupingSpec> {
        if !s.contains('*') {
            return Ok(GroupingSpec::from(s.parse::<Grouping>()?));
        }
        let mut parts: Vec<Grouping> = Vec::new();
        for name in s.split('*').map(str::trim) {
            let g = by_name(&Grouping::ALL, Grouping::as_str, name).ok_or_else(|| {
                Error::config(format!(
                    "aggregate_by '{s}': unknown grouping '{name}' in the combination \
                     (group, all, category, security_group, event joined by '*')"
                ))
            })?;
            if parts.contains(&g) {
                return Err(Error::config(format!(
                    "aggregate_by '{s}': '{name}' appears twice in the combination; \
                     list each grouping once"
                )));
            }
            parts.push(g);
        }
        Ok(GroupingSpec { parts })
    }
}

/// Why an event, a pair or part of a pair was left out (the `reason` column of `exclusions`,
/// §11), with the stage at which the pipeline reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExclusionReason {
    /// The event's `verified` is `no` and `include_unverified` is off.
    UnverifiedEvent,
    /// An event id seen before in the event file.
    DuplicateEvent,
    /// The event's scope names no security.
    EmptyScope,
    /// The ticker is not among the securities or has no prices.
    UnknownSecurity,
    /// The benchmark has no prices.
    UnknownBenchmark,
    /// The exchange is neither given nor known from the ticker suffix.
    UnknownExchange,
    /// Prices dated on days the calendar has no session.
    OffCalendarPrices,
    /// Unusable prices (empty, not finite or ≤ 0), treated as missing.
    BadPrice,
    /// Simple returns of −100 % or worse in a returns file, treated as missing.
    ImpossibleReturn,
    /// Close-to-close moves beyond the plausibility factor (flagged; prices kept as given).
    PriceJump,
    /// Suspended days, treated as missing prices.
    Suspended,
    /// The security is outside the study's `universe` (§11).
    OutsideUniverse,
    /// A security without traded volume, left out of the abnormal-volume study (§5.6).
    NoVolume,
    /// The event time or time zone cannot be read (§2.3).
    BadEventTime,
    /// No session closes at or after the event instant (§2.4).
    NoSession,
    /// Day 0 lies more than `max_shift_days` after the event date (§2.4).
    MaxShiftExceeded,
    /// Fewer estimation returns than `min_estimation_returns` (§4).
    TooFewEstimationReturns,
    /// The estimation design matrix is (numerically) singular (§4.4).
    SingularDesign,
    /// The estimation residuals have (numerically) zero variance.
    ZeroResidualVariance,
    /// A day of the event period without a return.
    MissingReturn,
    /// Many days of the event period after the last session of the calendar, in one row (§11).
    WindowBeyondData,
    /// A trade-to-trade return spanning several sessions (§1.3).
    MultiDayReturn,
    /// An event window with missing days: no CAR/BHAR (§3.4).
    IncompleteWindow,
}

impl ExclusionReason {
    /// Every reason, stage by stage.
    pub const ALL: [ExclusionReason; 23] = [
        ExclusionReason::UnverifiedEvent,
        ExclusionReason::DuplicateEvent,
        ExclusionReason::EmptyScope,
        ExclusionReason::UnknownSecurity,
        ExclusionReason::UnknownBenchmark,
        ExclusionReason::UnknownExchange,
        ExclusionReason::OffCalendarPrices,
        ExclusionReason::BadPrice,
        ExclusionReason::ImpossibleReturn,
        ExclusionReason::PriceJump,
        ExclusionReason::Suspended,
        ExclusionReason::OutsideUniverse,
        ExclusionReason::NoVolume,
        ExclusionReason::BadEventTime,
        ExclusionReason::NoSession,
        ExclusionReason::MaxShiftExceeded,
        ExclusionReason::TooFewEstimationReturns,
        ExclusionReason::SingularDesign,
        ExclusionReason::ZeroResidualVariance,
        ExclusionReason::MissingReturn,
        ExclusionReason::WindowBeyondData,
        ExclusionReason::MultiDayReturn,
        ExclusionReason::IncompleteWindow,
    ];

    /// The text of the `reason` column.
    ///
    /// # Examples
    /// ```
    /// use evstudy::vocab::{ExclusionReason, Stage};
    /// let r = ExclusionReason::TooFewEstimationReturns;
    /// assert_eq!(r.as_str(), "too_few_estimation_returns");
    /// assert_eq!(r.stage(), Stage::Estimation);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionReason::UnverifiedEvent => "unverified_event",
            ExclusionReason::DuplicateEvent => "duplicate_event",
            ExclusionReason::EmptyScope => "empty_scope",
            ExclusionReason::UnknownSecurity => "unknown_security",
            ExclusionReason::UnknownBenchmark => "unknown_benchmark",
            ExclusionReason::UnknownExchange => "unknown_exchange",
            ExclusionReason::OffCalendarPrices => "off_calendar_prices",
            ExclusionReason::BadPrice => "bad_price",
            ExclusionReason::ImpossibleReturn => "impossible_return",
            ExclusionReason::PriceJump => "price_jump",
            ExclusionReason::Suspended => "suspended",
            ExclusionReason::NoVolume => "no_volume",
            ExclusionReason::BadEventTime => "bad_event_time",
            ExclusionReason::NoSession => "no_session",
            ExclusionReason::MaxShiftExceeded => "max_shift_exceeded",
            ExclusionReason::TooFewEstimationReturns => "too_few_estimation_returns",
            ExclusionReason::SingularDesign => "singular_design",
            ExclusionReason::ZeroResidualVariance => "zero_residual_variance",
            ExclusionReason::MissingReturn => "missing_return",
            ExclusionReason::WindowBeyondData => "window_beyond_data",
            ExclusionReason::MultiDayReturn => "multi_day_return",
            ExclusionReason::IncompleteWindow => "incomplete_window",
            ExclusionReason::OutsideUniverse => "outside_universe",
        }
    }

    /// The stage at which a pair-level exclusion with this reason is reported (a portfolio
    /// pseudo-event reports the same reasons at [`Stage::Portfolio`]).
    pub fn stage(self) -> Stage {
        use ExclusionReason::*;
        match self {
            UnverifiedEvent | DuplicateEvent | EmptyScope | UnknownSecurity | UnknownBenchmark
            | UnknownExchange | OffCalendarPrices | BadPrice | ImpossibleReturn | PriceJump
            | Suspended | OutsideUniverse | NoVolume => Stage::Input,
            BadEventTime | NoSession | MaxShiftExceeded => Stage::Day0,
            TooFewEstimationReturns | SingularDesign | ZeroResidualVariance => Stage::Estimation,
            MissingReturn | WindowBeyondData | MultiDayReturn => Stage::EventDay,
            IncompleteWindow => Stage::Car,
        }
    }
}

/// The output text.
impl std::fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reason equals its output text (`ExclusionReason::NoSession == "no_session"`).
impl PartialEq<&str> for ExclusionReason {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A reason equals its output text.
impl PartialEq<String> for ExclusionReason {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl FromStr for ExclusionReason {
    type Err = Error;

    fn from_str(s: &str) -> Result<ExclusionReason> {
        by_name(&ExclusionReason::ALL, ExclusionReason::as_str, s)
            .ok_or_else(|| Error::config(format!("unknown exclusion reason '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for g in Grouping::ALL {
            assert_eq!(g.as_str().parse::<Grouping>().unwrap(), g);
        }
        for r in ExclusionReason::ALL {
            assert_eq!(r.as_str().parse::<ExclusionReason>().unwrap(), r);
        }
        assert_eq!(
            "evnt".parse::<Grouping>().unwrap_err().to_string(),
            "configuration: unknown aggregate_by 'evnt' (group, all, category, security_group, event)"
        );
    }
}

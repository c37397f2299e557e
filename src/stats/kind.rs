//! The fixed vocabulary of the `tests` and `aggregate` tables (methodology §8–§10, §12): which
//! test a row holds ([`TestKind`]), over what it was computed ([`Scope`]) and which summary an
//! `aggregate` row describes ([`Metric`]).
//!
//! Each enum is declared in its §12 output order, so `ALL` and `position()` are the sort
//! order of the row writer; `as_str()` is the exact text of the output column and `FromStr`
//! reads it back.

use std::fmt;
use std::str::FromStr;

/// A name that is not one of the fixed values of a column (`test`, `scope` or `metric`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// The column whose vocabulary was searched: `"test"`, `"scope"` or `"metric"`.
    pub column: &'static str,
    /// The text that was not recognised.
    pub name: String,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} name {:?}", self.column, self.name)
    }
}

impl std::error::Error for UnknownName {}

/// Defines a fieldless enum in its §12 order with `ALL`, `position()`, `as_str()`, `Display`
/// and `FromStr`, from one list of (variant, output name, doc) entries.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $column:literal, $count:literal {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the §12 output order.
            pub const ALL: [$name; $count] = [$($name::$variant,)+];

            /// Position in the §12 output order (the index in `ALL`).
            pub const fn position(self) -> usize {
                self as usize
            }

            /// The exact text written in the output column.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A value equals its output text.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        /// A value equals its output text.
        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName { column: $column, name: s.to_string() }),
                }
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// One test of the `test` column: the multi-event tests of §8 and §9 and the portfolio test
    /// of §10, declared in the §12 order of the tests within one day or window.
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::TestKind;
    /// assert_eq!(TestKind::ALL[0].as_str(), "csect_t");
    /// assert_eq!("grank_t".parse::<TestKind>(), Ok(TestKind::GrankT));
    /// assert!(TestKind::WilcoxonZ.position() < TestKind::PortfolioT.position());
    /// assert_eq!(TestKind::BATTERY.len(), 12);
    /// assert!("t_test".parse::<TestKind>().is_err());
    /// ```
    TestKind, "test", 14 {
        /// Cross-sectional t test (§8.1).
        CsectT => "csect_t",
        /// Crude dependence adjustment t test (§8.2).
        CdaT => "cda_t",
        /// Patell standardized residual z test (§8.3).
        PatellZ => "patell_z",
        /// Patell z adjusted for cross-correlation (Kolari–Pynnönen, §8.4).
        AdjPatellZ => "adj_patell_z",
        /// Boehmer–Musumeci–Poulsen standardized cross-sectional t test (§8.5).
        BmpT => "bmp_t",
        /// BMP t adjusted for cross-correlation (Kolari–Pynnönen, §8.6).
        AdjBmpT => "adj_bmp_t",
        /// Skewness-adjusted t test (Hall 1992, §8.7).
        SkewAdjT => "skew_adj_t",
        /// Sign z test (§9.1).
        SignZ => "sign_z",
        /// Generalized sign z test (Cowan 1992, §9.2).
        GsignZ => "gsign_z",
        /// Rank z test (Corrado 1989, Corrado–Zivney 1992; day §9.3, window Cowan 1992 §9.4).
        RankZ => "rank_z",
        /// Generalized rank t test (Kolari–Pynnönen 2011, §9.5).
        GrankT => "grank_t",
        /// Wilcoxon signed-rank z test (§9.6).
        WilcoxonZ => "wilcoxon_z",
        /// Single-event t test of a same-date cluster's portfolio (§10).
        PortfolioT => "portfolio_t",
        /// t of the mean with event-date clustered (CR1) standard errors, p-value from the
        /// wild cluster bootstrap (§8.8); only with `[bootstrap]`.
        WildBootT => "wild_boot_t",
    }
}

impl TestKind {
    /// The twelve multi-event tests of the `day` and `car` scopes of a group battery (§8, §9),
    /// in output order: the first twelve of [`TestKind::ALL`] (the portfolio test and the
    /// wild bootstrap test follow them).
    pub const BATTERY: [TestKind; 12] = {
        let mut out = [TestKind::CsectT; 12];
        let mut i = 0;
        while i < out.len() {
            out[i] = TestKind::ALL[i];
            i += 1;
        }
        out
    };

    /// The tests of the `bhar` scope (§8.1, §8.7), in output order.
    pub const BHAR: [TestKind; 2] = [TestKind::CsectT, TestKind::SkewAdjT];
}

vocabulary! {
    /// What a `tests` row was computed over (the `scope` column), in §12 order.
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::Scope;
    /// assert_eq!(Scope::ALL.map(Scope::as_str), ["day", "car", "bhar"]);
    /// assert_eq!("bhar".parse::<Scope>(), Ok(Scope::Bhar));
    /// ```
    Scope, "scope", 3 {
        /// One relative day t of the event period H (AR, SAR).
        Day => "day",
        /// One event window W, cumulated abnormal returns (CAR, SCAR).
        Car => "car",
        /// One event window W, buy-and-hold abnormal returns (BHAR).
        Bhar => "bhar",
    }
}

impl Scope {
    /// The tests a group battery computes in this scope, in output order:
    /// [`TestKind::BATTERY`] for `day` and `car`, [`TestKind::BHAR`] for `bhar`.
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::{Scope, TestKind};
    /// assert_eq!(Scope::Day.battery_tests().len(), 12);
    /// assert_eq!(Scope::Bhar.battery_tests(), [TestKind::CsectT, TestKind::SkewAdjT]);
    /// ```
    pub const fn battery_tests(self) -> &'static [TestKind] {
        match self {
            Scope::Day | Scope::Car => &TestKind::BATTERY,
            Scope::Bhar => &TestKind::BHAR,
        }
    }
}

vocabulary! {
    /// The cross-sectional summary of an `aggregate` row (the `metric` column, §5.5), in §12
    /// order.
    ///
    /// # Examples
    /// ```
    /// use evstudy::stats::Metric;
    /// assert_eq!(Metric::ALL.map(Metric::as_str), ["ar", "car", "bhar"]);
    /// assert_eq!("car".parse::<Metric>(), Ok(Metric::Car));
    /// ```
    Metric, "metric", 3 {
        /// Abnormal returns of one relative day (AAR).
        Ar => "ar",
        /// Cumulative abnormal returns of one window (CAAR).
        Car => "car",
        /// Buy-and-hold abnormal returns of one window (ABHAR).
        Bhar => "bhar",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_order() {
        for (i, k) in TestKind::ALL.iter().enumerate() {
            assert_eq!(k.position(), i);
            assert_eq!(k.as_str().parse::<TestKind>(), Ok(*k));
        }
        for s in Scope::ALL {
            assert_eq!(s.to_string().parse::<Scope>(), Ok(s));
        }
        for m in Metric::ALL {
            assert_eq!(m.to_string().parse::<Metric>(), Ok(m));
        }
        assert_eq!(
            "x".parse::<Metric>().unwrap_err().to_string(),
            "unknown metric name \"x\""
        );
    }

    #[test]
    fn battery_is_all_but_the_portfolio_test() {
        assert_eq!(TestKind::BATTERY[..], TestKind::ALL[..12]);
        assert_eq!(TestKind::ALL[12], TestKind::PortfolioT);
        assert_eq!(
            TestKind::BATTERY.map(TestKind::as_str),
            [
                "csect_t",
                "cda_t",
                "patell_z",
                "adj_patell_z",
                "bmp_t",
                "adj_bmp_t",
                "skew_adj_t",
                "sign_z",
                "gsign_z",
                "rank_z",
                "grank_t",
                "wilcoxon_z",
            ]
        );
    }
}

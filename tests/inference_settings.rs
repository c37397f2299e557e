//! `[bootstrap]` and `[multiple_testing]` on the demo study, end to end through `Study::run`:
//! the existing `tests` rows keep their values, each group × window × day gets one
//! `wild_boot_t` row on the battery's test set, and the adjusted p-values are valid.

use evstudy::design::{BootstrapFile, MultipleTestingFile};
use evstudy::stats::{Scope, TestKind};
use evstudy::study::Study;
use std::path::Path;

#[test]
fn demo_with_bootstrap_and_adjusted_p_values() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut study = Study::from_toml_file(&root.join("datasets/demo/study.toml")).unwrap();
    let plain = study.run().unwrap().tables.tests;
    study.config.bootstrap = Some(BootstrapFile {
        replications: Some(199),
        ..Default::default()
    });
    study.config.multiple_testing = Some(MultipleTestingFile {
        family: Some("test_window".into()),
        ..Default::default()
    });
    let tests = study.run().unwrap().tables.tests;
    let mut kept: Vec<_> = tests
        .iter()
        .filter(|r| r.test != TestKind::WildBootT)
        .cloned()
        .collect();
    for r in &mut kept {
        assert_eq!(r.extras.len(), 2);
        if let (Some(p), Some(bh), Some(holm)) = (r.p_value, r.extras[0].1, r.extras[1].1) {
            assert!(
                p <= bh + 1e-15 && bh <= holm + 1e-15 && holm <= 1.0,
                "{r:?}"
            );
        }
        r.extras.clear();
    }
    assert_eq!(kept, plain);
    let boot: Vec<_> = tests
        .iter()
        .filter(|r| r.test == TestKind::WildBootT)
        .collect();
    let csect: Vec<_> = plain
        .iter()
        .filter(|r| r.test == TestKind::CsectT && r.scope != Scope::Bhar && r.cluster.is_none())
        .collect();
    assert_eq!(boot.len(), csect.len());
    for (b, c) in boot.iter().zip(&csect) {
        assert_eq!(
            (&b.group, b.scope, &b.window, b.rel_day, b.n),
            (&c.group, c.scope, &c.window, c.rel_day, c.n)
        );
        if let Some(p) = b.p_value {
            let k = p * 200.0;
            assert!((k - k.round()).abs() < 1e-9 && p > 0.0 && p <= 1.0, "{b:?}");
            assert!(b.statistic.is_some() && b.df.is_none());
        }
    }
    assert!(boot.iter().any(|b| b.p_value.is_some()));
    let again = study.run().unwrap().tables.tests;
    assert_eq!(again, tests);
}

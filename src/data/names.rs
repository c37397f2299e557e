//! Near-miss names: the candidate a user most likely meant by a name that is not there (a
//! ticker in another case, a column under a known alias or with a typo), for the hints of
//! error messages.

/// The candidate that `name` most likely means: an exact match ignoring case, spaces,
/// `_` and `-`; else the unique candidate within a small edit distance (1 for names of up
/// to 4 characters, 2 for longer ones). `None` when nothing is close or two candidates are
/// equally close.
///
/// # Examples
/// ```
/// use evstudy::data::nearest_name;
/// let tickers = ["SPY", "AAPL", "MSFT"];
/// assert_eq!(nearest_name("spy", tickers.iter().copied()), Some("SPY"));
/// assert_eq!(nearest_name("MSFY", tickers.iter().copied()), Some("MSFT"));
/// assert_eq!(nearest_name("QQQ", tickers.iter().copied()), None);
/// ```
pub fn nearest_name<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let key = fold(name);
    let limit = if key.chars().count() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &'a str)> = None;
    let mut tie = false;
    for c in candidates {
        let d = edit_distance(&key, &fold(c));
        if d > limit {
            continue;
        }
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tie = true,
            _ => {
                best = Some((d, c));
                tie = false;
            }
        }
    }
    match best {
        Some((0, c)) => Some(c),
        Some((_, c)) if !tie => Some(c),
        _ => None,
    }
}

/// Lower case without spaces, `_` and `-` (so `Time Zone`, `time_zone` and `TimeZone` agree).
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance (insertions, deletions, substitutions; transposition counts 2).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Column names that mean a known column under another name, by the column they stand for.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "ticker",
        &[
            "symbol", "symbols", "tickers", "security", "code", "stock", "secid",
        ],
    ),
    ("date", &["datetime", "trade_date", "timestamp", "dt"]),
    ("tz", &["timezone", "time_zone", "zone", "tzname"]),
    ("time", &["hour", "event_time", "clock", "hhmm"]),
    (
        "close",
        &[
            "adj_close",
            "adjclose",
            "price",
            "px_last",
            "closing_price",
            "last",
        ],
    ),
    ("event_id", &["eventid", "event", "evt_id"]),
];

/// A column of `present` that looks like the expected column `wanted` (a known alias or a
/// near miss of its name), if exactly one does.
///
/// # Examples
/// ```
/// use evstudy::data::look_alike_column;
/// let cols = ["event_id", "Symbol", "date"];
/// assert_eq!(look_alike_column("ticker", cols.iter().copied()), Some("Symbol"));
/// assert_eq!(look_alike_column("tz", ["TimeZone"].into_iter()), Some("TimeZone"));
/// ```
pub fn look_alike_column<'a>(
    wanted: &str,
    present: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    let aliases = ALIASES
        .iter()
        .find(|(w, _)| *w == wanted)
        .map(|(_, a)| *a)
        .unwrap_or(&[]);
    let by_alias: Vec<&'a str> = present
        .clone()
        .filter(|p| {
            let f = fold(p);
            f == fold(wanted) && *p != wanted || aliases.iter().any(|a| fold(a) == f)
        })
        .collect();
    match by_alias.as_slice() {
        [one] => Some(one),
        [] if wanted.chars().count() > 3 => nearest_name(wanted, present),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_by_hand() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("spy", "spy"), 0);
        assert_eq!(edit_distance("ab", "ba"), 2);
    }

    #[test]
    fn near_names() {
        let t = ["SPY", "SPX", "AAPL"];
        // 'SPZ' is one edit from both SPY and SPX: no single answer.
        assert_eq!(nearest_name("SPZ", t.iter().copied()), None);
        assert_eq!(nearest_name("aapl", t.iter().copied()), Some("AAPL"));
        assert_eq!(nearest_name("AAPL", t.iter().copied()), Some("AAPL"));
        let cols = ["date", "Ticker", "close"];
        assert_eq!(
            look_alike_column("ticker", cols.iter().copied()),
            Some("Ticker")
        );
        assert_eq!(look_alike_column("tz", ["TZ"].into_iter()), Some("TZ"));
        assert_eq!(
            look_alike_column("tz", ["time_zone"].into_iter()),
            Some("time_zone")
        );
        assert_eq!(
            look_alike_column("date", ["datetime"].into_iter()),
            Some("datetime")
        );
        assert_eq!(look_alike_column("time", ["title"].into_iter()), None);
        assert_eq!(
            look_alike_column("tz", ["title", "category"].into_iter()),
            None
        );
    }
}

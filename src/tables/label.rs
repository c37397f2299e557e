//! [`Label`]: the text of a row's identifying columns (event id, ticker, group), shared.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The text of an identifying column of a per-pair table (`event_id`, `security`, `group`;
/// in `day0_mapping` also `exchange` and `status`): the 21 abnormal-return rows, the CAR rows
/// and the model-fit row of one pair share one allocation of each label, and the pairs of one
/// ticker, group or calendar share theirs, cloned by reference count, so a table of millions
/// of rows holds no string of its own. It reads as a `&str` (it dereferences to `str`) and
/// compares, sorts and hashes as its text.
///
/// # Examples
/// ```
/// use evstudy::tables::Label;
/// let a = Label::from("NVDA");
/// let b = a.clone();
/// assert_eq!(b, "NVDA");
/// assert_eq!(b.len(), 4);
/// assert!(Label::from("AMD") < a);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(Arc<str>);

impl Label {
    /// The label's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One [`Label`] per distinct text: the rows that repeat a text (a ticker, a group, a
/// category) share one allocation of it. The last few labels given are compared first, so a
/// text repeated row after row (an empty time, a group) is found without hashing.
#[derive(Default)]
pub(crate) struct Labels {
    set: std::collections::HashSet<Label>,
    recent: [Option<Label>; RECENT],
    next: usize,
}

/// Number of labels [`Labels`] compares before it hashes.
const RECENT: usize = 4;

impl Labels {
    /// The label of `text`, made on first use.
    pub fn get(&mut self, text: &str) -> Label {
        if let Some(l) = self.recent.iter().flatten().find(|l| l.as_str() == text) {
            return l.clone();
        }
        let l = match self.set.get(text) {
            Some(l) => l.clone(),
            None => {
                let l = Label::from(text);
                self.set.insert(l.clone());
                l
            }
        };
        self.recent[self.next] = Some(l.clone());
        self.next = (self.next + 1) % RECENT;
        l
    }
}

impl Default for Label {
    fn default() -> Self {
        Label(Arc::from(""))
    }
}

impl Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Label {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Label {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        Label(Arc::from(s))
    }
}

impl From<&String> for Label {
    fn from(s: &String) -> Self {
        Label(Arc::from(s.as_str()))
    }
}

impl From<String> for Label {
    fn from(s: String) -> Self {
        Label(Arc::from(s))
    }
}

impl From<Label> for String {
    fn from(l: Label) -> Self {
        l.0.to_string()
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Label {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Label> for str {
    fn eq(&self, other: &Label) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Label> for &str {
    fn eq(&self, other: &Label) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Label> for String {
    fn eq(&self, other: &Label) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_one_text_share_one_allocation() {
        let mut labels = Labels::default();
        let (a, b, c) = (labels.get("NVDA"), labels.get("NVDA"), labels.get("AMD"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!((a.as_str(), c.as_str()), ("NVDA", "AMD"));
        assert!(!Arc::ptr_eq(&a.0, &c.0));
        // past the recent ones, a text is still found in the set: one allocation each
        let many: Vec<Label> = (0..10).map(|k| labels.get(&format!("T{k}"))).collect();
        let again: Vec<Label> = (0..10)
            .rev()
            .map(|k| labels.get(&format!("T{k}")))
            .collect();
        for (x, y) in many.iter().zip(again.iter().rev()) {
            assert!(Arc::ptr_eq(&x.0, &y.0) && x.as_str() == y.as_str());
        }
        assert!(Arc::ptr_eq(&labels.get("NVDA").0, &a.0));
        assert_eq!(labels.get(""), Label::from(""));
    }
}

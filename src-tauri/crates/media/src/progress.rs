//! Progress accounting for a batch of uploads: bytes per file and in total, percentages that
//! never show 100 before the server answered, and throttled events for the UI.
//!
//! Why a pure type: counting, rounding and state changes are the part users see; they are unit
//! tested without a network. Bytes "sent" are bytes handed to the HTTP stack, not acknowledged,
//! so the last byte leads to `Finalizing` (waiting for the storage), and only the storage's
//! answer leads to `Done` and 100 %.

use serde::Serialize;

/// Where one file is in its upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// Not started yet.
    Queued,
    /// Fetching credentials or sending bytes.
    Uploading,
    /// Every byte handed over; waiting for the storage's answer.
    Finalizing,
    /// The storage accepted it.
    Done,
    /// Failed (see the error; may be retried).
    Failed,
    /// Cancelled by the merchant (may be retried).
    Cancelled,
}

/// One progress event for the UI (sent over a `tauri::ipc::Channel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProgressEvent {
    /// Index of the file in the batch.
    pub index: usize,
    /// File name.
    pub name: String,
    /// Its state.
    pub state: FileState,
    /// Bytes of this file handed to the network.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub sent: u64,
    /// Size of this file.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// 0–100; 100 only when `state` is `Done`.
    pub percent: u8,
    /// Bytes of the whole batch handed to the network (done files count in full).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_sent: u64,
    /// Size of the whole batch.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_size: u64,
    /// 0–100 for the batch; 100 only when every file is `Done`.
    pub total_percent: u8,
}

/// Percentage of `sent` out of `total`, rounded down and capped at 99 unless `done`.
///
/// Why down and capped: "100 %" must mean "the server has it"; 99.6 % of the bytes is not that.
pub fn percent(sent: u64, total: u64, done: bool) -> u8 {
    if done {
        return 100;
    }
    if total == 0 {
        return 0;
    }
    let p = u128::from(sent.min(total)) * 100 / u128::from(total);
    u8::try_from(p.min(99)).unwrap_or(99)
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    size: u64,
    sent: u64,
    state: FileState,
    /// Last percent reported, to throttle events.
    last_percent: Option<u8>,
}

/// Byte and state accounting of a batch.
#[derive(Debug, Clone)]
pub struct ProgressTracker {
    files: Vec<Entry>,
}

impl ProgressTracker {
    /// A batch of `(name, size)` files, all queued.
    pub fn new<I, S>(files: I) -> Self
    where
        I: IntoIterator<Item = (S, u64)>,
        S: Into<String>,
    {
        Self {
            files: files
                .into_iter()
                .map(|(n, size)| Entry {
                    name: n.into(),
                    size,
                    sent: 0,
                    state: FileState::Queued,
                    last_percent: None,
                })
                .collect(),
        }
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True for an empty batch.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// State of file `i` (`None` when out of range).
    pub fn state(&self, i: usize) -> Option<FileState> {
        self.files.get(i).map(|e| e.state)
    }

    fn totals(&self) -> (u64, u64, bool) {
        let mut sent = 0u64;
        let mut size = 0u64;
        let mut all_done = !self.files.is_empty();
        for e in &self.files {
            size = size.saturating_add(e.size);
            sent = sent.saturating_add(if e.state == FileState::Done {
                e.size
            } else {
                e.sent.min(e.size)
            });
            all_done &= e.state == FileState::Done;
        }
        (sent, size, all_done)
    }

    /// The current event for file `i` (`None` when out of range).
    pub fn snapshot(&self, i: usize) -> Option<ProgressEvent> {
        let e = self.files.get(i)?;
        let (total_sent, total_size, all_done) = self.totals();
        let done = e.state == FileState::Done;
        Some(ProgressEvent {
            index: i,
            name: e.name.clone(),
            state: e.state,
            sent: if done { e.size } else { e.sent.min(e.size) },
            size: e.size,
            percent: percent(e.sent, e.size, done),
            total_sent,
            total_size,
            total_percent: percent(total_sent, total_size, all_done),
        })
    }

    fn set_state(&mut self, i: usize, state: FileState, sent: u64) -> Option<ProgressEvent> {
        let e = self.files.get_mut(i)?;
        e.state = state;
        e.sent = sent.min(e.size);
        let ev = self.snapshot(i)?;
        if let Some(e) = self.files.get_mut(i) {
            e.last_percent = Some(ev.percent);
        }
        Some(ev)
    }

    /// File `i` starts (or restarts, after a failure or cancel): counted from zero again.
    pub fn start(&mut self, i: usize) -> Option<ProgressEvent> {
        self.set_state(i, FileState::Uploading, 0)
    }

    /// `sent` bytes of file `i` were handed to the network. Returns an event only when the
    /// file's whole percent or its state changed (so a 1 GB file yields ~100 events, not
    /// 16 000). The last byte moves the file to `Finalizing`.
    pub fn sent(&mut self, i: usize, sent: u64) -> Option<ProgressEvent> {
        let e = self.files.get(i)?;
        if !matches!(e.state, FileState::Uploading | FileState::Finalizing) {
            return None; // late callbacks after done/cancel are ignored
        }
        let state = if sent >= e.size {
            FileState::Finalizing
        } else {
            FileState::Uploading
        };
        let p = percent(sent, e.size, false);
        if state == e.state && Some(p) == e.last_percent {
            if let Some(e) = self.files.get_mut(i) {
                e.sent = sent.min(e.size);
            }
            return None;
        }
        self.set_state(i, state, sent)
    }

    /// The storage accepted file `i`: 100 % for it.
    pub fn done(&mut self, i: usize) -> Option<ProgressEvent> {
        let size = self.files.get(i)?.size;
        self.set_state(i, FileState::Done, size)
    }

    /// File `i` failed: its bytes no longer count (a retry starts from zero).
    pub fn failed(&mut self, i: usize) -> Option<ProgressEvent> {
        self.set_state(i, FileState::Failed, 0)
    }

    /// File `i` was cancelled: its bytes no longer count.
    pub fn cancelled(&mut self, i: usize) -> Option<ProgressEvent> {
        self.set_state(i, FileState::Cancelled, 0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn percent_rounds_down_and_never_reaches_100_before_done() {
        assert_eq!(percent(0, 0, false), 0);
        assert_eq!(percent(0, 0, true), 100);
        assert_eq!(percent(1, 3, false), 33);
        assert_eq!(percent(2, 3, false), 66);
        assert_eq!(percent(995, 1000, false), 99);
        assert_eq!(percent(1000, 1000, false), 99);
        assert_eq!(percent(5000, 1000, false), 99);
        assert_eq!(percent(1000, 1000, true), 100);
        // Huge sizes do not overflow.
        assert_eq!(percent(u64::MAX / 2, u64::MAX, false), 49);
    }

    #[test]
    fn batch_totals_across_files() {
        let mut t = ProgressTracker::new([("a.jpg", 100u64), ("b.mp4", 300)]);
        let ev = t.start(0).unwrap();
        assert_eq!(
            (ev.state, ev.total_size, ev.total_percent),
            (FileState::Uploading, 400, 0)
        );
        let ev = t.sent(0, 50).unwrap();
        assert_eq!((ev.percent, ev.total_sent, ev.total_percent), (50, 50, 12));
        let ev = t.sent(0, 100).unwrap();
        assert_eq!((ev.state, ev.percent), (FileState::Finalizing, 99));
        let ev = t.done(0).unwrap();
        assert_eq!(
            (ev.state, ev.percent, ev.total_sent, ev.total_percent),
            (FileState::Done, 100, 100, 25)
        );
        t.start(1);
        let ev = t.sent(1, 300).unwrap();
        assert_eq!(
            (ev.state, ev.total_sent, ev.total_percent),
            (FileState::Finalizing, 400, 99)
        );
        let ev = t.done(1).unwrap();
        assert_eq!(ev.total_percent, 100);
    }

    #[test]
    fn events_are_throttled_to_percent_changes() {
        let size = 1_000_000u64;
        let mut t = ProgressTracker::new([("big.mov", size)]);
        t.start(0);
        let mut events = 0;
        let mut last = 0;
        for sent in (0..=size).step_by(1000) {
            if let Some(ev) = t.sent(0, sent) {
                assert!(ev.percent >= last);
                last = ev.percent;
                events += 1;
            }
        }
        // 1..=99 percent plus the switch to Finalizing (at 99).
        assert_eq!(events, 100);
        assert_eq!(t.state(0), Some(FileState::Finalizing));
    }

    #[test]
    fn failure_and_cancel_reset_bytes_and_retry_restarts() {
        let mut t = ProgressTracker::new([("a.jpg", 100u64), ("b.jpg", 100)]);
        t.start(0);
        t.sent(0, 80);
        let ev = t.failed(0).unwrap();
        assert_eq!(
            (ev.state, ev.sent, ev.total_sent),
            (FileState::Failed, 0, 0)
        );
        // A late callback from the failed attempt changes nothing.
        assert!(t.sent(0, 90).is_none());
        t.start(1);
        t.sent(1, 10);
        let ev = t.cancelled(1).unwrap();
        assert_eq!(ev.state, FileState::Cancelled);
        let ev = t.start(0).unwrap();
        assert_eq!((ev.state, ev.sent), (FileState::Uploading, 0));
        t.done(0);
        let ev = t.snapshot(1).unwrap();
        assert_eq!((ev.total_sent, ev.total_percent), (100, 50));
        assert!(t.snapshot(9).is_none());
        assert!(t.sent(9, 1).is_none());
    }

    #[test]
    fn event_json_shape() {
        let mut t = ProgressTracker::new([("a.jpg", 10u64)]);
        let v = serde_json::to_value(t.start(0).unwrap()).unwrap();
        assert_eq!(v["state"], "uploading");
        assert_eq!(v["total_size"], 10);
    }
}

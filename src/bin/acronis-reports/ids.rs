//! The reports a bulk command works on: ids from the command line, a file or standard input,
//! or a tenant's listing, each as an [`Input`] that ends in exactly one outcome.
//!
//! Lines of a file are read as bytes, one at a time (memory does not grow with the file):
//! a UTF-8 byte-order mark is skipped, `#` starts a comment, blank lines are skipped, and a
//! line that is not an id (not UTF-8, too long, not a UUID) is an input of its own with its
//! line number, so it is reported the same way at any concurrency. Such a line is described,
//! never echoed: a file given by mistake (`.env`) may hold secrets. A duplicate id is merged
//! into its first occurrence and counted. A failure to read ends the input with an input
//! that says so.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, BufRead};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use acronis_reports::ReportId;

/// The longest line read as an id (with its comment); longer lines are refused, and only
/// their start is shown.
pub const MAX_LINE: usize = 4096;

/// One item of a bulk command's input.
#[derive(Debug, Clone)]
pub enum Input {
    /// A report id, with its line when it came from a file.
    Id { id: ReportId, line: Option<u64> },
    /// A line that is not a report id: why (its content is not repeated).
    Invalid { line: u64, why: String },
    /// Reading failed at this line; nothing after it was read.
    Unreadable { line: u64, error: String },
}

impl Input {
    /// The report id, if this is one.
    pub fn id(&self) -> Option<ReportId> {
        match self {
            Input::Id { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// The line it came from, if it came from a file.
    pub fn line(&self) -> Option<u64> {
        match self {
            Input::Id { line, .. } => *line,
            Input::Invalid { line, .. } | Input::Unreadable { line, .. } => Some(*line),
        }
    }
}

impl fmt::Display for Input {
    /// The id, or `line N` for a line that is none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Id { id, .. } => write!(f, "{id}"),
            Input::Invalid { line, .. } | Input::Unreadable { line, .. } => {
                write!(f, "line {line}")
            }
        }
    }
}

/// Parses a report id as the API takes it: a UUID in its 36-character form, either case.
pub fn parse_id(text: &str) -> Option<ReportId> {
    text.parse().ok()
}

/// Why `text` (a line or an argument, trimmed) is not a report id, without repeating it.
pub fn why_not_an_id(text: &str) -> String {
    let chars = text.chars().count();
    let uuid_alphabet = text.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if uuid_alphabet {
        format!(
            "not a report id: {chars} hex digits and dashes where a UUID like \
             20dffb36-d77b-45c6-b2fa-39276e98d5fc has 36"
        )
    } else {
        format!(
            "not a report id: {chars} characters that are no UUID (not shown: a line given by \
             mistake may hold a secret)"
        )
    }
}

/// Counts the duplicate ids merged, shared with whoever reports them.
#[derive(Debug, Clone, Default)]
pub struct Duplicates(Arc<AtomicU64>);

impl Duplicates {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn add(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Ids from the command line: checked all before anything is sent, duplicates merged.
///
/// # Errors
///
/// The arguments that are not report ids, with their positions, shortened.
pub fn from_arguments(args: &[String], duplicates: &Duplicates) -> Result<Vec<Input>, String> {
    let mut seen = HashSet::new();
    let mut inputs = Vec::new();
    let mut invalid = Vec::new();
    for (n, arg) in args.iter().enumerate() {
        match parse_id(arg) {
            Some(id) if !seen.insert(id) => duplicates.add(),
            Some(id) => inputs.push(Input::Id { id, line: None }),
            None => invalid.push(format!("argument {}: {}", n + 1, why_not_an_id(arg))),
        }
    }
    if invalid.is_empty() {
        Ok(inputs)
    } else {
        Err(format!("{}; nothing was sent", invalid.join("; ")))
    }
}

/// Ids read line by line from `reader`.
pub struct IdLines<R> {
    reader: R,
    line: u64,
    seen: HashSet<ReportId>,
    duplicates: Duplicates,
    done: bool,
}

impl<R: BufRead> IdLines<R> {
    pub fn new(reader: R, duplicates: Duplicates) -> Self {
        IdLines {
            reader,
            line: 0,
            seen: HashSet::new(),
            duplicates,
            done: false,
        }
    }

    /// The next line's bytes (without the line break) and its whole length, reading at most
    /// [`MAX_LINE`] of them; `None` at the end.
    fn read_line(&mut self) -> io::Result<Option<(Vec<u8>, usize)>> {
        let mut buf = Vec::new();
        let mut length = 0;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok((length > 0).then_some((buf, length)));
            }
            let (part, found_end) = match chunk.iter().position(|&b| b == b'\n') {
                Some(end) => (&chunk[..end], true),
                None => (chunk, false),
            };
            let room = MAX_LINE.saturating_sub(buf.len());
            buf.extend_from_slice(&part[..part.len().min(room)]);
            length += part.len();
            let used = part.len() + usize::from(found_end);
            self.reader.consume(used);
            if found_end {
                return Ok(Some((buf, length.max(1))));
            }
        }
    }
}

impl<R: BufRead> Iterator for IdLines<R> {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        while !self.done {
            self.line += 1;
            let line = self.line;
            let (mut bytes, length) = match self.read_line() {
                Ok(Some(read)) => read,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Input::Unreadable {
                        line,
                        error: e.to_string(),
                    });
                }
            };
            if line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            let invalid = |why: String| Input::Invalid { line, why };
            if length > MAX_LINE {
                return Some(invalid(format!(
                    "the line is {length} bytes long; an id and its comment take at most {MAX_LINE}"
                )));
            }
            // The comment goes first: what it says, in whatever encoding, is no concern.
            let content = bytes.split(|&b| b == b'#').next().unwrap_or_default();
            let Ok(text) = std::str::from_utf8(content) else {
                return Some(invalid("the line is not UTF-8 text".to_owned()));
            };
            let content = text.trim();
            if content.is_empty() {
                continue;
            }
            match parse_id(content) {
                Some(id) if !self.seen.insert(id) => self.duplicates.add(),
                Some(id) => {
                    return Some(Input::Id {
                        id,
                        line: Some(line),
                    });
                }
                None => return Some(invalid(why_not_an_id(content))),
            }
        }
        None
    }
}

/// Inputs read on a thread of their own, for an input that may never end (standard input, a
/// FIFO, a terminal), so that a stopped run does not wait for it to end:
///
/// - told to stop (an interrupt: [`Stop::Now`]), nothing more is read or taken up;
/// - stopped by itself (an outage, refused credentials: [`Stop::Drain`]), what keeps coming is
///   still taken up (and reported not attempted) while it comes promptly: until the input
///   ends, pauses for [`DRAIN_PAUSE`], or has been drained for [`DRAIN_LIMIT`].
///
/// [`Cut::line`] then says after which line nothing more was taken up.
pub struct Stoppable {
    inputs: std::sync::mpsc::Receiver<Input>,
    stop: Arc<dyn Fn() -> Option<Stop> + Send + Sync>,
    last_line: u64,
    cut: Cut,
    draining_since: Option<std::time::Instant>,
}

/// How a run stopped, for [`Stoppable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Told to: read no more.
    Now,
    /// By itself: take up what comes promptly.
    Drain,
}

/// How long a stopped run waits for the next line before it stops reading.
pub const DRAIN_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

/// How long a stopped run goes on reading an input that keeps coming.
pub const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where a [`Stoppable`] input stopped being read before its end, if it did.
#[derive(Debug, Clone, Default)]
pub struct Cut(Arc<AtomicU64>);

impl Cut {
    /// The last line taken up before reading stopped; `None` when the input was read to its
    /// end (or not cut yet).
    pub fn line(&self) -> Option<u64> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n - 1),
        }
    }

    fn set(&self, last_line: u64) {
        self.0.store(last_line + 1, Ordering::SeqCst);
    }
}

impl Stoppable {
    /// Reads `lines` on a thread; `stop` says whether and how the run stopped.
    pub fn new<R: BufRead + Send + 'static>(
        lines: IdLines<R>,
        stop: Arc<dyn Fn() -> Option<Stop> + Send + Sync>,
    ) -> (Stoppable, Cut) {
        // A little ahead of the run, not the whole input: memory stays flat.
        let (tx, rx) = std::sync::mpsc::sync_channel(256);
        let reader = {
            let (tx, stop) = (tx.clone(), stop.clone());
            std::thread::Builder::new()
                .name("ids".into())
                .spawn(move || {
                    for input in lines {
                        // Told to stop: no more is read.
                        if stop() == Some(Stop::Now) || tx.send(input).is_err() {
                            return;
                        }
                    }
                })
        };
        if let Err(e) = reader {
            // Without a thread the input cannot be read: that is its first line's outcome.
            let _ = tx.send(Input::Unreadable {
                line: 1,
                error: format!("cannot start reading: {e}"),
            });
        }
        drop(tx);
        let cut = Cut::default();
        (
            Stoppable {
                inputs: rx,
                stop,
                last_line: 0,
                cut: cut.clone(),
                draining_since: None,
            },
            cut,
        )
    }

    /// Reading ends here, before the input did.
    fn cut_here(&mut self) -> Option<Input> {
        use std::sync::mpsc::TryRecvError;
        if !matches!(self.inputs.try_recv(), Err(TryRecvError::Disconnected)) {
            self.cut.set(self.last_line);
        }
        None
    }
}

impl Iterator for Stoppable {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        use std::sync::mpsc::RecvTimeoutError;
        loop {
            let wait = match (self.stop)() {
                None => std::time::Duration::from_millis(50),
                Some(Stop::Now) => return self.cut_here(),
                Some(Stop::Drain) => {
                    let since = *self
                        .draining_since
                        .get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() >= DRAIN_LIMIT {
                        return self.cut_here();
                    }
                    DRAIN_PAUSE
                }
            };
            let input = match self.inputs.recv_timeout(wait) {
                Ok(input) => input,
                Err(RecvTimeoutError::Timeout) if self.draining_since.is_some() => {
                    return self.cut_here();
                }
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return None,
            };
            if let Some(line) = input.line() {
                self.last_line = line;
            }
            return Some(input);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
    const B: &str = "0d6ba6b9-6f2d-4c42-9c5b-3f1e0a7c2d11";

    fn read(bytes: &[u8]) -> (Vec<String>, u64) {
        let duplicates = Duplicates::default();
        let lines: Vec<String> = IdLines::new(bytes, duplicates.clone())
            .map(|input| match input {
                Input::Id { id, line } => format!("{}:{id}", line.unwrap()),
                Input::Invalid { line, why } => format!("{line}:invalid:{why}"),
                Input::Unreadable { line, error } => format!("{line}:unreadable:{error}"),
            })
            .collect();
        (lines, duplicates.count())
    }

    #[test]
    fn ids_comments_blank_lines_and_a_byte_order_mark() {
        let text = format!(
            "\u{feff}{A}\r\n\n# a comment\n  {}  # the second\n{A}\n{}",
            B.to_uppercase(),
            A.to_uppercase()
        );
        let (lines, duplicates) = read(text.as_bytes());
        assert_eq!(lines, [format!("1:{A}"), format!("4:{B}")]);
        assert_eq!(duplicates, 2);
    }

    #[test]
    fn lines_that_are_no_ids_are_inputs_of_their_own() {
        let mut text = format!("{A}\nnot-an-id\n").into_bytes();
        text.extend_from_slice(b"\xff\xfe bad bytes\n");
        text.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
        text.extend_from_slice(format!("\n{B} trailing words\n{B}  # caf").as_bytes());
        text.extend_from_slice(b"\xe9 (Latin-1)\n");
        text.extend_from_slice(b"ACRONIS_CLIENT_SECRET=hunter2\n20dffb36-d77b-45c6\n");
        let (lines, _) = read(&text);
        assert_eq!(lines.len(), 8, "{lines:?}");
        assert_eq!(lines[0], format!("1:{A}"));
        assert!(
            lines[1].starts_with("2:invalid:not a report id: 9 characters"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "3:invalid:the line is not UTF-8 text");
        // A 10 MB line is refused without being kept or echoed.
        assert!(
            lines[3].starts_with("4:invalid:the line is 10485760 bytes long"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("5:invalid:not a report id: 51 characters"),
            "{}",
            lines[4]
        );
        // A comment in another encoding does not spoil the id before it.
        assert_eq!(lines[5], format!("6:{B}"));
        // A secret in a file given by mistake is never repeated.
        assert!(!lines[6].contains("hunter2"), "{}", lines[6]);
        assert!(lines[7].starts_with("8:invalid:not a report id: 18 hex digits and dashes"));
    }

    #[test]
    fn a_read_error_ends_the_input_with_its_line() {
        struct Failing(u8);
        impl io::Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0 += 1;
                match self.0 {
                    1 => {
                        let line = format!("{A}\n");
                        buf[..line.len()].copy_from_slice(line.as_bytes());
                        Ok(line.len())
                    }
                    _ => Err(io::Error::other("disk on fire")),
                }
            }
        }
        let lines: Vec<String> =
            IdLines::new(io::BufReader::new(Failing(0)), Duplicates::default())
                .map(|i| format!("{}:{i}", i.line().unwrap()))
                .collect();
        assert_eq!(lines, [format!("1:{A}"), "2:line 2".to_owned()]);
    }

    #[test]
    fn arguments_are_checked_all_before_any_is_used() {
        let duplicates = Duplicates::default();
        let ok = from_arguments(&[A.into(), B.into(), A.to_uppercase()], &duplicates).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(duplicates.count(), 1);
        let err = from_arguments(&[A.into(), "nope".into()], &duplicates).unwrap_err();
        assert!(err.starts_with("argument 2: not a report id"), "{err}");
        assert!(!err.contains("nope"), "{err}");
        assert!(err.ends_with("nothing was sent"), "{err}");
    }
}

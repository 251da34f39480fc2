//! Progress on standard error, for people: drawn only when standard error is a terminal
//! (nothing at all on a file or a pipe), through indicatif.
//!
//! A run whose total is known (ids on the command line, a tenant's listing) gets a bar with
//! the count, the rate and the time left; one whose total is not (`--ids-file`, a usage file)
//! a spinner with the count and the rate.

use std::io::{self, IsTerminal};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a spinner turns when nothing else moves it.
const TICK: Duration = Duration::from_millis(120);

/// Whether progress is drawn: standard error is a terminal.
pub fn on_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Progress over `total` items called `what` (`reports`), or over an unknown number of them;
/// drawn on standard error when `shown`.
pub fn counting(total: Option<u64>, what: &str, shown: bool) -> ProgressBar {
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    counting_on(total, what, target)
}

/// [`counting`], drawn on `target`.
pub fn counting_on(total: Option<u64>, what: &str, target: ProgressDrawTarget) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(total, target);
    if let Ok(style) = ProgressStyle::with_template(&template(total.is_some(), what)) {
        bar.set_style(style);
    }
    if total.is_none() && !bar.is_hidden() {
        bar.enable_steady_tick(TICK);
    }
    bar
}

/// The template: a bar, `pos/len`, the rate and the time left for a known total; a spinner,
/// the count and the rate for an unknown one.
fn template(known: bool, what: &str) -> String {
    if known {
        format!("{{spinner}} [{{bar:30}}] {{pos}}/{{len}} {what}, {{per_sec:0}}, {{eta}} left")
    } else {
        format!("{{spinner}} {{pos}} {what}, {{per_sec:0}} ({{elapsed}})")
    }
}

/// A spinner drawn with `template` (indicatif's), on standard error when `shown`.
pub fn spinner(template: &str, shown: bool) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if !shown {
        bar.set_draw_target(ProgressDrawTarget::hidden());
        return bar;
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(TICK);
    bar
}

/// A command's spinner on standard error, drawn with `template`, when it is a terminal (and
/// the output is not `--json`).
pub fn command_spinner(global: &crate::args::Global, template: &str) -> ProgressBar {
    spinner(template, !global.json && on_terminal())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use indicatif::TermLike;

    use super::*;

    /// A terminal that keeps the last line drawn.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn line(&self) -> String {
            self.0.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            if let Ok(mut line) = self.0.lock() {
                // The padding written after a line is not a line.
                if !s.trim().is_empty() {
                    s.trim_end().clone_into(&mut line);
                }
            }
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn drawn(total: Option<u64>, done: u64) -> String {
        let screen = Screen::default();
        let bar = counting_on(
            total,
            "reports",
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        bar.set_position(done);
        // Drawn now, whatever the refresh rate.
        bar.abandon();
        screen.line()
    }

    #[test]
    fn an_unknown_total_is_a_count_and_a_rate_not_a_bar() {
        let line = drawn(None, 6494);
        assert!(line.contains(" 6494 reports, "), "{line}");
        assert!(line.contains("/s"), "{line}");
        assert!(!line.contains("6494/6494") && !line.contains('['), "{line}");
    }

    #[test]
    fn a_known_total_is_a_bar_with_a_rate_and_the_time_left() {
        let line = drawn(Some(200), 50);
        assert!(line.contains("] 50/200 reports, "), "{line}");
        assert!(line.contains("/s, ") && line.ends_with(" left"), "{line}");
        // A quarter of the bar drawn.
        let bar = &line[line.find('[').unwrap() + 1..line.find(']').unwrap()];
        assert_eq!(bar.chars().count(), 30, "{line}");
        let filled = bar.chars().filter(|c| *c == '█').count();
        assert!((7..=8).contains(&filled), "{line}");
    }

    #[test]
    fn nothing_is_drawn_when_not_shown() {
        assert!(counting(Some(3), "reports", false).is_hidden());
        assert!(counting(None, "reports", false).is_hidden());
        assert!(spinner("{spinner}", false).is_hidden());
    }
}

//! Text from a server or a file made safe for a terminal or a text line.

/// Text from a server or a file, for a terminal or a text line: each control character
/// (escape sequences, BEL, CR, LF, ...) shown escaped (`\u{1b}`, `\n`), so that such text
/// can neither rewrite the screen nor start a line of its own. Other text is left as it is.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

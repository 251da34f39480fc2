//! `json_v2_0`, streamed: the document `{"params": {...}, "tenants": [...]}` is walked by a
//! small scanner that knows only JSON's structure (strings, nesting, commas); each item of
//! `tenants` is cut out whole and deserialized with serde from that slice, numbers taken from
//! their text. Memory holds one item at a time, whatever the file's size.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{
    Decimal, Infra, OfferingItem, Position, Quota, RangeStart, UsageError, UsageFormat,
    UsageRecord, UsageValues, decimal, put, put_option, shown,
};

const FORMAT: UsageFormat = UsageFormat::JsonV2;

/// The largest item read: a larger one means a malformed file (an item is a few hundred
/// bytes), and is refused before it can fill the memory.
const MAX_ITEM: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the document's `{`.
    Start,
    /// In the document, after `{` or a member's value: a member or the end comes next.
    Members { first: bool },
    /// In `tenants`, after `[` or an item.
    Items { first: bool },
    /// After the document, or after an error.
    Done,
}

pub(super) struct JsonRecords<R> {
    reader: R,
    state: State,
    /// Bytes consumed so far.
    offset: u64,
    index: u64,
    buffer: Vec<u8>,
    params: Option<serde_json::Map<String, serde_json::Value>>,
    /// The last error was an item's content: the items after it can still be read.
    item_failed: bool,
    /// Where the value being read starts, for errors about it.
    mark: u64,
    /// Whether the document had a `tenants` member.
    saw_tenants: bool,
}

impl<R: BufRead> JsonRecords<R> {
    pub(super) fn new(reader: R) -> JsonRecords<R> {
        JsonRecords {
            reader,
            state: State::Start,
            offset: 0,
            index: 0,
            buffer: Vec::new(),
            params: None,
            item_failed: false,
            mark: 0,
            saw_tenants: false,
        }
    }

    pub(super) fn params(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.params.as_ref()
    }

    fn at(&self) -> Position {
        match self.state {
            State::Items { .. } => Position::Index(self.index),
            _ => Position::Document(self.mark),
        }
    }

    fn error(&self, message: impl Into<String>) -> UsageError {
        UsageError::new(FORMAT, self.at(), message)
    }

    /// The next byte, not consumed; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, UsageError> {
        match self.reader.fill_buf() {
            Ok(buf) => Ok(buf.first().copied()),
            Err(e) => Err(UsageError::io(Some(FORMAT), self.at(), e)),
        }
    }

    fn bump(&mut self) {
        self.reader.consume(1);
        self.offset += 1;
        self.mark = self.offset;
    }

    /// The next byte that is not a blank (nor, at the start, a byte-order mark), not consumed.
    fn skip_blanks(&mut self) -> Result<Option<u8>, UsageError> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.bump(),
                Some(0xef) if self.offset == 0 => {
                    for expected in [0xef, 0xbb, 0xbf] {
                        if self.peek()? != Some(expected) {
                            return Err(self.error("not JSON: the file starts with a stray byte"));
                        }
                        self.bump();
                    }
                }
                other => return Ok(other),
            }
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), UsageError> {
        match self.skip_blanks()? {
            Some(b) if b == byte => {
                self.bump();
                Ok(())
            }
            Some(b) => Err(self.error(format!("expected {what}, found {:?}", char::from(b)))),
            None => Err(self.truncated()),
        }
    }

    fn truncated(&self) -> UsageError {
        self.error(match self.state {
            State::Items { .. } => "the file ends inside this item: it is cut short",
            _ => "the file ends before the document does: it is cut short",
        })
    }

    /// Cuts the next value out of the stream into `self.buffer`.
    fn capture(&mut self) -> Result<(), UsageError> {
        self.buffer.clear();
        let first = match self.skip_blanks()? {
            Some(b) => b,
            None => return Err(self.truncated()),
        };
        self.mark = self.offset;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) => return Err(UsageError::io(Some(FORMAT), self.at(), e)),
            };
            if buf.is_empty() {
                if scalar && !self.buffer.is_empty() {
                    return Ok(());
                }
                return Err(self.truncated());
            }
            let mut end = None;
            let mut i = 0;
            while i < buf.len() {
                let b = buf[i];
                if scalar {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        end = Some(i);
                        break;
                    }
                    i += 1;
                    continue;
                }
                if escaped {
                    escaped = false;
                    i += 1;
                    continue;
                }
                if in_string {
                    // Straight to the string's next quote or backslash.
                    let Some(at) = memchr::memchr2(b'"', b'\\', &buf[i..]) else {
                        i = buf.len();
                        continue;
                    };
                    i += at;
                    if buf[i] == b'\\' {
                        escaped = true;
                    } else {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            let n = end.unwrap_or(buf.len());
            self.buffer.extend_from_slice(&buf[..n]);
            self.reader.consume(n);
            self.offset += n as u64;
            if end.is_some() {
                return Ok(());
            }
            if self.buffer.len() > MAX_ITEM {
                return Err(self.error(format!(
                    "a value larger than {} MiB: the file is not a usage file",
                    MAX_ITEM / 1024 / 1024
                )));
            }
        }
    }

    /// Steps through the document until the next item, which it reads into `out`; `false`
    /// at the end.
    fn step(&mut self, out: &mut UsageRecord) -> Result<bool, UsageError> {
        loop {
            match self.state {
                State::Done => return Ok(false),
                State::Start => {
                    match self.skip_blanks()? {
                        Some(b'{') => self.bump(),
                        Some(_) => {
                            return Err(self.error(
                                "not a json_v2_0 usage file: the document is not an object",
                            ));
                        }
                        None => return Err(self.error("the file is empty")),
                    }
                    self.state = State::Members { first: true };
                }
                State::Members { first } => {
                    match self.skip_blanks()? {
                        Some(b'}') => {
                            self.bump();
                            if self.skip_blanks()?.is_some() {
                                return Err(self.error("more data after the document"));
                            }
                            if !self.saw_tenants {
                                return Err(self.error(
                                    "the document has no tenants member: it is not a json_v2_0 usage file",
                                ));
                            }
                            self.state = State::Done;
                            return Ok(false);
                        }
                        Some(b',') if !first => self.bump(),
                        Some(_) if first => {}
                        Some(b) => {
                            return Err(self.error(format!(
                                "expected ',' or '}}', found {:?}",
                                char::from(b)
                            )));
                        }
                        None => return Err(self.truncated()),
                    }
                    self.capture()?;
                    let key: String = serde_json::from_slice(&self.buffer).map_err(|e| {
                        self.error(format!("a member's name: {}", serde_message(&e)))
                    })?;
                    self.expect(b':', "':'")?;
                    self.state = State::Members { first: false };
                    if key == "tenants" {
                        if self.saw_tenants {
                            return Err(self.error("tenants appears twice"));
                        }
                        self.saw_tenants = true;
                        self.expect(b'[', "'[' (tenants is an array)")?;
                        self.state = State::Items { first: true };
                        continue;
                    }
                    self.capture()?;
                    if key == "params" {
                        let params = serde_json::from_slice(&self.buffer)
                            .map_err(|e| self.error(serde_message(&e)).field("params"))?;
                        self.params = Some(params);
                    } else {
                        // A member this version does not know: skipped, but it must be JSON.
                        serde_json::from_slice::<serde::de::IgnoredAny>(&self.buffer)
                            .map_err(|e| self.error(serde_message(&e)).field(key.clone()))?;
                    }
                }
                State::Items { first } => {
                    match self.skip_blanks()? {
                        Some(b']') => {
                            self.bump();
                            self.state = State::Members { first: false };
                            continue;
                        }
                        Some(b',') if !first => self.bump(),
                        Some(_) if first => {}
                        Some(b) => {
                            return Err(self
                                .error(format!("expected ',' or ']', found {:?}", char::from(b))));
                        }
                        None => return Err(self.truncated()),
                    }
                    self.state = State::Items { first: false };
                    self.capture()?;
                    let read = item(&self.buffer, out).map_err(|(field, message)| {
                        let e = self.error(message);
                        match field {
                            Some(f) => e.field(f),
                            None => e,
                        }
                    });
                    self.index += 1;
                    self.item_failed = read.is_err();
                    return read.map(|()| true);
                }
            }
        }
    }
}

impl<R> JsonRecords<R> {
    /// Whether nothing more will be read.
    pub(super) fn is_done(&self) -> bool {
        self.state == State::Done
    }
}

impl<R: BufRead> JsonRecords<R> {
    /// The next item into `out`: see [`UsageRecords::next_into`](super::UsageRecords::next_into).
    pub(super) fn next_into(&mut self, out: &mut UsageRecord) -> Option<Result<(), UsageError>> {
        match self.step(out) {
            Ok(true) => Some(Ok(())),
            Ok(false) => None,
            Err(e) => {
                // An item whose content is wrong is that item's fault: the document around it
                // is still walked. Anything else ends the file.
                if !std::mem::take(&mut self.item_failed) {
                    self.state = State::Done;
                }
                Some(Err(e))
            }
        }
    }
}

/// An item's members, in order, each as its JSON text.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members<'a>, M::Error> {
                let mut members = Vec::with_capacity(16);
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A member's name: borrowed from the text when it has no escape (serde's own `Cow<str>`
/// would copy every name).
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

type ItemError = (Option<String>, String);

/// The member given twice in `members`, if one is.
fn twice<'m, T>(members: &'m [(Cow<'_, str>, T)]) -> Option<&'m str> {
    // An item has a dozen members: comparing each with those before it is quicker than
    // hashing them, up to a few dozen.
    if members.len() <= 32 {
        return members
            .iter()
            .enumerate()
            .find(|(i, (name, _))| members[..*i].iter().any(|(n, _)| n == name))
            .map(|(_, (name, _))| name.as_ref());
    }
    let mut seen = std::collections::HashSet::new();
    members
        .iter()
        .find(|(name, _)| !seen.insert(name.as_ref()))
        .map(|(name, _)| name.as_ref())
}

/// A JSON string's text (`None` for any other value): in place when it has no escape, as
/// nearly every string of a usage file.
fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    // serde_json has checked the value: a string without a backslash is its text in quotes.
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// One item of `tenants`, from its JSON text, into `out` (its buffers reused).
fn item(text: &[u8], out: &mut UsageRecord) -> Result<(), ItemError> {
    let not_usage =
        |e: serde_json::Error| (None, format!("not a usage object: {}", serde_message(&e)));
    // Text checked once, whole, rather than string by string; an item that is not text is
    // left to serde_json, to say where.
    let Members(members) = match std::str::from_utf8(text) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(text),
    }
    .map_err(not_usage)?;
    // A member given twice would be billed with whichever value came last: refused, as a
    // CSV column given twice is.
    if let Some(twice) = twice(&members) {
        return Err((
            Some(twice.to_owned()),
            "appears twice in the item".to_owned(),
        ));
    }
    let (mut tenant, mut application, mut usage_name) = (None, None, None);
    let (mut value, mut absolute) = (None, None);
    let (mut edition, mut full_name, mut unit, mut usage_type, mut infra_id) =
        (None, None, None, None, None);
    let (mut tenant_number, mut range_start, mut offering) = (None, None, None);
    let mut extra = 0;
    for (name, raw) in &members {
        let bad = |message: String| (Some(name.to_string()), message);
        let text = || -> Result<Option<Cow<'_, str>>, ItemError> {
            if raw.get() == "null" {
                return Ok(None);
            }
            match string(raw) {
                Some(s) => Ok(Some(s)),
                None => Err(bad(format!(
                    "expected a string, found {}",
                    shown(raw.get())
                ))),
            }
        };
        let number = || -> Result<Option<Decimal>, ItemError> {
            if raw.get() == "null" {
                return Ok(None);
            }
            // A number, or a number in a string.
            let digits = string(raw).unwrap_or(Cow::Borrowed(raw.get()));
            decimal(&digits).map(Some).map_err(bad)
        };
        match name.as_ref() {
            "tenant_uuid" => tenant = text()?,
            "tenant_id" => {
                tenant_number = number()?
                    .map(|n| whole(n).ok_or_else(|| bad(expected("a whole number", raw))))
                    .transpose()?;
            }
            "application_id" => application = text()?,
            "edition" => edition = text()?,
            "usage_name" => usage_name = text()?,
            "name" => full_name = text()?,
            "measurement_unit" => unit = text()?,
            "type" => usage_type = text()?,
            "infra_id" => infra_id = text()?,
            "range_start" => range_start = self::range_start(raw),
            "offering_item" => match offering_item(raw) {
                Some(item) => offering = item,
                // Not the documented object: kept as it is, for it bills nothing.
                None => push_extra(&mut out.extra, &mut extra, name, raw.get()),
            },
            "value" => value = number()?,
            "absolute_value" => absolute = number()?,
            _ => {
                let shown = string(raw).unwrap_or(Cow::Borrowed(raw.get()));
                push_extra(&mut out.extra, &mut extra, name, &shown);
            }
        }
    }
    let missing = |member: &str| (Some(member.to_owned()), "is missing".to_owned());
    out.tenant = tenant
        .ok_or_else(|| missing("tenant_uuid"))?
        .parse()
        .map_err(|e: crate::id::ParseIdError| (Some("tenant_uuid".to_owned()), e.to_string()))?;
    put(
        &mut out.application,
        &application.ok_or_else(|| missing("application_id"))?,
    );
    put(
        &mut out.usage_name,
        &usage_name.ok_or_else(|| missing("usage_name"))?,
    );
    out.values = UsageValues::Single {
        value: value.ok_or_else(|| missing("value"))?,
        absolute: absolute.ok_or_else(|| missing("absolute_value"))?,
    };
    out.tenant_kind = None;
    out.tenant_number = tenant_number;
    put(&mut out.edition, edition.as_deref().unwrap_or("standard"));
    put_option(&mut out.full_name, full_name.as_deref());
    put_option(&mut out.unit, unit.as_deref());
    put_option(&mut out.usage_type, usage_type.as_deref());
    match infra_id {
        Some(id) => {
            let infra = out.infra.get_or_insert_with(Infra::default);
            put_option(&mut infra.id, Some(&id));
            infra.backend_type = None;
            infra.owner_id = None;
        }
        None => out.infra = None,
    }
    out.range_start = range_start;
    out.offering_item = offering;
    out.extra.truncate(extra);
    Ok(())
}

/// Sets the `n`-th member of `extra` (and counts it), in the buffers it has.
fn push_extra(extra: &mut Vec<(String, String)>, n: &mut usize, name: &str, value: &str) {
    match extra.get_mut(*n) {
        Some((k, v)) => {
            put(k, name);
            put(v, value);
        }
        None => extra.push((name.to_owned(), value.to_owned())),
    }
    *n += 1;
}

/// `range_start`, read tolerantly: see [`RangeStart`]. `None` for `null`.
fn range_start(raw: &RawValue) -> Option<RangeStart> {
    if let Some(text) = string(raw) {
        return Some(RangeStart::from_text(&text));
    }
    let raw = raw.get();
    if raw == "null" {
        return None;
    }
    let seconds = decimal(raw).ok().and_then(whole::<i64>);
    Some(seconds.map_or_else(|| RangeStart::Other(raw.to_owned()), RangeStart::Unix))
}

/// `offering_item`, if it is the documented object: `status` (a whole number) and `quota` (an
/// object of `value`, `overage` and `version`, numbers, `version` whole), each possibly
/// `null` or missing, and no other member. `Some(None)` for `null`; `None` when it is not that
/// object (the caller keeps it as it is).
fn offering_item(raw: &RawValue) -> Option<Option<OfferingItem>> {
    let Some(Members(members)) = object(raw)? else {
        return Some(None);
    };
    let mut item = OfferingItem::default();
    if twice(&members).is_some() {
        return None;
    }
    for (name, raw) in members {
        match name.as_ref() {
            "status" => item.status = whole_or_null(raw)?,
            "quota" => {
                let Some(Members(members)) = object(raw)? else {
                    continue;
                };
                let mut quota = Quota::default();
                for (name, raw) in members {
                    match name.as_ref() {
                        "value" => quota.value = number_or_null(raw)?,
                        "overage" => quota.overage = number_or_null(raw)?,
                        "version" => quota.version = whole_or_null(raw)?,
                        _ => return None,
                    }
                }
                item.quota = Some(quota);
            }
            _ => return None,
        }
    }
    Some(Some(item))
}

/// An object's members, `Some(None)` for `null`, `None` for any other value.
fn object(raw: &RawValue) -> Option<Option<Members<'_>>> {
    if raw.get() == "null" {
        return Some(None);
    }
    serde_json::from_str(raw.get()).ok().map(Some)
}

/// A JSON number, `Some(None)` for `null`, `None` for any other value.
fn number_or_null(raw: &RawValue) -> Option<Option<Decimal>> {
    if raw.get() == "null" {
        return Some(None);
    }
    decimal(raw.get()).ok().map(Some)
}

/// A whole number, `Some(None)` for `null`, `None` for any other value.
fn whole_or_null(raw: &RawValue) -> Option<Option<i64>> {
    match number_or_null(raw)? {
        Some(n) => whole(n).map(Some),
        None => Some(None),
    }
}

/// serde_json's message without its "at line 1 column N", which counts from the item, not the
/// file.
fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// `n` as a whole number of type `T`, if it is one that fits.
fn whole<T: TryFrom<Decimal>>(n: Decimal) -> Option<T> {
    if n.fract().is_zero() {
        T::try_from(n).ok()
    } else {
        None
    }
}

/// "expected WHAT, found VALUE", the value cut short.
fn expected(what: &str, raw: &RawValue) -> String {
    format!("expected {what}, found {}", shown(raw.get()))
}

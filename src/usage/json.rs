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
    UsageRecord, UsageValues, decimal, shown,
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
            for (i, &b) in buf.iter().enumerate() {
                if scalar {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        end = Some(i);
                        break;
                    }
                    continue;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
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

    /// Steps through the document until the next item, which it returns.
    fn step(&mut self) -> Result<Option<UsageRecord>, UsageError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
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
                            return Ok(None);
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
                    let record = item(&self.buffer).map_err(|(field, message)| {
                        let e = self.error(message);
                        match field {
                            Some(f) => e.field(f),
                            None => e,
                        }
                    });
                    self.index += 1;
                    self.item_failed = record.is_err();
                    return record.map(Some);
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
        match self.step() {
            Ok(record) => record.map(|record| {
                *out = record;
                Ok(())
            }),
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
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

type ItemError = (Option<String>, String);

/// One item of `tenants`, from its JSON text.
fn item(text: &[u8]) -> Result<UsageRecord, ItemError> {
    let Members(members) = serde_json::from_slice(text)
        .map_err(|e| (None, format!("not a usage object: {}", serde_message(&e))))?;
    let mut record = UsageRecord::new(
        crate::id::TenantId::from_uuid(uuid::Uuid::nil()),
        String::new(),
        String::new(),
        UsageValues::Single {
            value: Default::default(),
            absolute: Default::default(),
        },
    );
    let (mut tenant, mut application, mut usage_name) = (None, None, None);
    let (mut value, mut absolute) = (None, None);
    // A member given twice would be billed with whichever value came last: refused, as a
    // CSV column given twice is.
    let mut seen = std::collections::HashSet::new();
    if let Some((twice, _)) = members.iter().find(|(name, _)| !seen.insert(name.as_ref())) {
        return Err((
            Some(twice.to_string()),
            "appears twice in the item".to_owned(),
        ));
    }
    for (name, raw) in members {
        let bad = |message: String| (Some(name.to_string()), message);
        let text = || -> Result<Option<String>, ItemError> {
            match serde_json::from_str::<Option<String>>(raw.get()) {
                Ok(s) => Ok(s),
                Err(_) => Err(bad(format!(
                    "expected a string, found {}",
                    shown(raw.get())
                ))),
            }
        };
        let number = || -> Result<Option<Decimal>, ItemError> {
            let raw = raw.get();
            if raw == "null" {
                return Ok(None);
            }
            // A number, or a number in a string.
            let digits = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned());
            decimal(&digits).map(Some).map_err(bad)
        };
        match name.as_ref() {
            "tenant_uuid" => {
                tenant = text()?;
            }
            "tenant_id" => {
                record.tenant_number = number()?
                    .map(|n| whole(n).ok_or_else(|| bad(expected("a whole number", raw))))
                    .transpose()?;
            }
            "application_id" => application = text()?,
            "edition" => {
                if let Some(edition) = text()? {
                    record.edition = edition;
                }
            }
            "usage_name" => usage_name = text()?,
            "name" => record.full_name = text()?,
            "measurement_unit" => record.unit = text()?,
            "type" => record.usage_type = text()?,
            "infra_id" => {
                record.infra = text()?.map(|id| Infra {
                    id: Some(id),
                    ..Infra::default()
                });
            }
            "range_start" => record.range_start = range_start(raw),
            "offering_item" => match offering_item(raw) {
                Some(item) => record.offering_item = item,
                // Not the documented object: kept as it is, for it bills nothing.
                None => record.extra.push((name.into_owned(), raw.get().to_owned())),
            },
            "value" => value = number()?,
            "absolute_value" => absolute = number()?,
            _ => {
                let shown = serde_json::from_str::<String>(raw.get())
                    .unwrap_or_else(|_| raw.get().to_owned());
                record.extra.push((name.into_owned(), shown));
            }
        }
    }
    let missing = |member: &str| (Some(member.to_owned()), "is missing".to_owned());
    record.tenant = tenant
        .ok_or_else(|| missing("tenant_uuid"))?
        .parse()
        .map_err(|e: crate::id::ParseIdError| (Some("tenant_uuid".to_owned()), e.to_string()))?;
    record.application = application.ok_or_else(|| missing("application_id"))?;
    record.usage_name = usage_name.ok_or_else(|| missing("usage_name"))?;
    record.values = UsageValues::Single {
        value: value.ok_or_else(|| missing("value"))?,
        absolute: absolute.ok_or_else(|| missing("absolute_value"))?,
    };
    Ok(record)
}

/// `range_start`, read tolerantly: see [`RangeStart`]. `None` for `null`.
fn range_start(raw: &RawValue) -> Option<RangeStart> {
    let raw = raw.get();
    if raw == "null" {
        return None;
    }
    if let Ok(text) = serde_json::from_str::<String>(raw) {
        return Some(RangeStart::from_text(&text));
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
    let mut seen = std::collections::HashSet::new();
    if !members.iter().all(|(name, _)| seen.insert(name.as_ref())) {
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

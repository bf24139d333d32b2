//! Values crossing the boundary: JavaScript arguments in ([`Js`]), the core's types out
//! ([`Model`]). No JSON text on either side.

use std::cell::RefCell;
use std::mem::ManuallyDrop;
use std::time::Duration;

use dintero_checkout::{Error as CoreError, Result as CoreResult};
use napi::bindgen_prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused (a cycle, most likely).
const MAX_DEPTH: u32 = 64;

/// A JavaScript argument, read as JSON for the core. Reading never fails at the boundary: a
/// value JSON cannot hold (NaN, a function, a cycle) is kept as the reason, and reported as an
/// `invalid_input` error naming the parameter and the path when the argument is used.
pub struct Js(std::result::Result<Value, Bad>);

/// Why an argument could not be read, and where inside it.
struct Bad {
    path: String,
    why: String,
}

impl Bad {
    fn new(why: impl Into<String>) -> Self {
        Bad {
            path: String::new(),
            why: why.into(),
        }
    }
    fn at(mut self, step: String) -> Self {
        self.path.insert_str(0, &step);
        if self.path.len() > 120 {
            let cut = (0..=120)
                .rev()
                .find(|&i| self.path.is_char_boundary(i))
                .unwrap_or(0);
            self.path.truncate(cut);
            self.path.push('…');
        }
        self
    }
}

impl From<Error> for Bad {
    fn from(e: Error) -> Self {
        Bad::new(e.reason)
    }
}

impl FromNapiValue for Js {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        Ok(Js(read(env, value, 0)))
    }
}

fn read(env: sys::napi_env, raw: sys::napi_value, depth: u32) -> std::result::Result<Value, Bad> {
    // SAFETY (every unsafe below): napi calls this on the JS thread with a live env and value.
    let value = unsafe { Unknown::from_napi_value(env, raw) }?;
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Value::Null,
        ValueType::Boolean => Value::Bool(unsafe { bool::from_napi_value(env, raw) }?),
        ValueType::String => Value::String(unsafe { String::from_napi_value(env, raw) }?),
        ValueType::Number => {
            let n = unsafe { f64::from_napi_value(env, raw) }?;
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
                Value::from(n as i64)
            } else {
                Value::Number(
                    Number::from_f64(n)
                        .ok_or_else(|| Bad::new(format!("must be a finite number (got {n})")))?,
                )
            }
        }
        ValueType::Object if depth >= MAX_DEPTH => {
            return Err(Bad::new("is nested too deeply (a cycle?)"))
        }
        ValueType::Object => {
            let obj = Object::from_raw(env, raw);
            if obj.is_array()? {
                let items = (0..obj.get_array_length_unchecked()?).map(|i| {
                    let item: Unknown = obj.get_element(i)?;
                    read(env, item.raw(), depth + 1).map_err(|b| b.at(format!("[{i}]")))
                });
                Value::Array(items.collect::<std::result::Result<_, _>>()?)
            } else if obj.is_date()? {
                return Err(Bad::new(
                    "is a Date: pass an ISO-8601 string (date.toISOString())",
                ));
            } else {
                let mut map = Map::new();
                for key in Object::keys(&obj)? {
                    let item: Unknown = obj.get_named_property_unchecked(&key)?;
                    // As JSON.stringify does: an undefined field is a field left out.
                    if item.get_type()? != ValueType::Undefined {
                        let v = read(env, item.raw(), depth + 1)
                            .map_err(|b| b.at(format!(".{key}")))?;
                        map.insert(key, v);
                    }
                }
                Value::Object(map)
            }
        }
        other => {
            return Err(Bad::new(format!(
                "cannot be sent to Dintero (got a {other})"
            )))
        }
    })
}

fn invalid(what: &str, bad: Bad) -> CoreError {
    CoreError::invalid_input(format!("{what}{}: {}", bad.path, bad.why))
}

impl Js {
    /// The value as JSON; `what` names the parameter in errors.
    pub fn value(self, what: &str) -> CoreResult<Value> {
        self.0.map_err(|bad| invalid(what, bad))
    }

    /// The value decoded into a core type, errors naming the parameter and the field.
    pub fn decode<T: DeserializeOwned>(self, what: &str) -> CoreResult<T> {
        decode(what, self.value(what)?)
    }

    /// A string argument (an id, a URL).
    pub fn string(self, what: &str) -> CoreResult<String> {
        self.decode(what)
    }
}

/// An options argument: absent is all defaults.
pub fn optional<T: DeserializeOwned + Default>(js: Option<Js>, what: &str) -> CoreResult<T> {
    js.map_or_else(|| Ok(T::default()), |js| js.decode(what))
}

/// Decodes `value`, naming the path of the first offending field.
pub fn decode<T: DeserializeOwned>(what: &str, value: Value) -> CoreResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(".{path}")
        };
        CoreError::invalid_input(format!(
            "{what}{at}: {}",
            without_value(&e.inner().to_string())
        ))
    })
}

/// serde's "invalid type: string \"...\", expected u32" without the value, which may be a
/// secret given in the wrong place: "invalid type: string, expected u32".
fn without_value(message: &str) -> String {
    let Some((head, rest)) = message.split_once(": ") else {
        return message.to_string();
    };
    match rest.split_once(", expected") {
        Some((got, expected)) if head == "invalid type" || head == "invalid value" => {
            let kind = got.split(['`', '"']).next().unwrap_or(got).trim();
            format!("{head}: {kind}, expected{expected}")
        }
        _ => message.to_string(),
    }
}

/// Milliseconds from JavaScript as a `Duration`; refuses negatives and absurd values.
pub fn millis(what: &str, ms: Option<f64>) -> CoreResult<Option<Duration>> {
    match ms {
        Some(ms) if !(0.0..=1e12).contains(&ms) => Err(CoreError::invalid_input(format!(
            "{what}: must be a number of milliseconds from 0 to 1e12"
        ))),
        Some(ms) => Ok(Some(Duration::from_micros((ms * 1000.0).round() as u64))),
        None => Ok(None),
    }
}

/// A core value handed to JavaScript as a plain object, with the API's field names.
pub struct Model<T>(pub T);

impl<T: Serialize> ToNapiValue for Model<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        // V8's own JSON.parse, called here, builds the object faster than setting its
        // properties one napi call at a time (bench/bench.mjs measures it). The text never
        // leaves this function: JavaScript only ever sees the object.
        let text = serde_json::to_string(&val.0)
            .map_err(|e| Error::from_reason(format!("could not encode the result: {e}")))?;
        JSON_PARSE.with(|cell| {
            let env = Env::from_raw(env);
            if cell.borrow().is_none() {
                let json: Object = env.get_global()?.get_named_property_unchecked("JSON")?;
                let f: Function<String, Unknown> = json.get_named_property_unchecked("parse")?;
                *cell.borrow_mut() = Some(ManuallyDrop::new(f.create_ref()?));
            }
            // The borrow ends before the call, so nothing JavaScript does can meet it.
            let parse = match &*cell.borrow() {
                Some(f) => f.borrow_back(&env)?,
                None => return Err(Error::from_reason("JSON.parse is missing")),
            };
            Ok(parse.call(text)?.raw())
        })
    }
}

thread_local! {
    // Per JS thread; never dropped, as a reference must not outlive its env (a thread's exit).
    static JSON_PARSE: RefCell<Option<ManuallyDrop<FunctionRef<String, Unknown<'static>>>>> =
        const { RefCell::new(None) };
}

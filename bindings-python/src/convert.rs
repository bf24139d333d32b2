//! JSON values between Python and Rust.
//!
//! Requests: Python dicts/lists/str/int/float/bool/None become `serde_json::Value` (anything
//! else is refused, naming the field). Responses: the core's models are serialized to
//! `Value` off the GIL, then turned into plain Python objects here.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::errors::invalid_input;

const MAX_DEPTH: usize = 64;

/// Converts a Python payload; `what` names it in errors (`capture.items[0].amount: ...`).
pub fn to_value(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let mut path = what.to_string();
    from_py(obj, &mut path, 0).map_err(|msg| invalid_input(py, msg))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

fn from_py(obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("{path}: nested more than {MAX_DEPTH} levels deep"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()
            .map(|s| Value::String(s.into_owned()))
            .map_err(|_| format!("{path}: is not valid UTF-8 text"));
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.is_truthy().unwrap_or(false)));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(format!("{path}: integer is out of range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| format!("{path}: {v} is not a finite number"));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = match k.cast::<PyString>() {
                Ok(s) => s
                    .to_cow()
                    .map_err(|_| format!("{path}: a key is not valid UTF-8 text"))?
                    .into_owned(),
                Err(_) => return Err(format!("{path}: keys must be str, got {}", type_name(&k))),
            };
            let len = path.len();
            path.push('.');
            path.push_str(&key);
            let value = from_py(&v, path, depth + 1)?;
            path.truncate(len);
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in obj
            .try_iter()
            .map_err(|e| format!("{path}: {e}"))?
            .enumerate()
        {
            let item = item.map_err(|e| format!("{path}: {e}"))?;
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            out.push(from_py(&item, path, depth + 1)?);
            path.truncate(len);
        }
        return Ok(Value::Array(out));
    }
    // A response object of this package (anything with `to_dict()`), e.g. `session.order`.
    if let Ok(true) = obj.hasattr("to_dict") {
        if let Ok(d) = obj.call_method0("to_dict") {
            if d.is_instance_of::<PyDict>() {
                return from_py(&d, path, depth + 1);
            }
        }
    }
    Err(format!(
        "{path}: expected a dict, list, str, int, float, bool or None, got {}",
        type_name(obj)
    ))
}

/// Converts a JSON value into plain Python objects.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(PyString::new(py, k), to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Serializes a core model (infallible for the SDK's models, which are plain data).
pub fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A `str` argument, refused as `invalid_input` naming `name` when it is not a `str` or not
/// valid text (a lone surrogate cannot be sent).
pub fn text(py: Python<'_>, obj: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    let Ok(s) = obj.cast::<PyString>() else {
        return Err(invalid_input(
            py,
            format!("{name}: must be a str, got {}", type_name(obj)),
        ));
    };
    s.to_cow().map(|c| c.into_owned()).map_err(|_| {
        invalid_input(
            py,
            format!("{name}: is not valid text (it holds a lone surrogate)"),
        )
    })
}

/// A whole-number argument from `min` to `max`, refused as `invalid_input` naming `name`
/// otherwise (a float, a bool, a str, or out of range).
pub fn whole(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    name: &str,
    min: i64,
    max: i64,
) -> PyResult<i64> {
    let value = if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        obj.extract::<i64>().ok()
    } else {
        return Err(invalid_input(
            py,
            format!("{name}: must be a whole number, got {}", type_name(obj)),
        ));
    };
    match value {
        Some(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(invalid_input(
            py,
            format!(
                "{name}: must be from {min} to {max} (got {})",
                obj.repr().map(|r| r.to_string()).unwrap_or_default()
            ),
        )),
    }
}

//! Values between Python and the core, generically through serde.
//!
//! In: a Python object becomes a `serde_json::Value` (dicts, lists, str, int, float, bool,
//! None, and this package's response objects), then the core type, through
//! `serde_path_to_error` so a refusal names the parameter and the place:
//! `request.items[0].amount: invalid type: string "5", expected i64`.
//! Out: the core's result is serialized to a `Value` off the GIL, then built as plain Python
//! objects here; the Python layer wraps them in the generated model classes.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::errors::invalid_input;

const MAX_DEPTH: usize = 64;

/// Converts argument `name` to the core type `T`; every refusal is `invalid_input` naming it.
pub fn arg<T: DeserializeOwned>(py: Python<'_>, obj: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    let mut path = name.to_string();
    let value = to_value(obj, &mut path, 0).map_err(|msg| invalid_input(py, msg))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        let at = if at.is_empty() || at == "." {
            name.to_string()
        } else {
            format!("{name}.{at}")
        };
        invalid_input(py, format!("{at}: {}", e.inner()))
    })
}

/// An optional argument: `None` stays "not set", for the core to apply its default.
pub fn opt<T: DeserializeOwned>(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<T>> {
    match obj {
        Some(o) if !o.is_none() => arg(py, o, name).map(Some),
        _ => Ok(None),
    }
}

/// Seconds as a `Duration` (`None` = not set); refuses negative, NaN and infinite values.
pub fn seconds(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<Duration>> {
    let Some(secs) = opt::<f64>(py, obj, name)? else {
        return Ok(None);
    };
    Duration::try_from_secs_f64(secs).map(Some).map_err(|_| {
        invalid_input(
            py,
            format!("{name}: must be zero or a positive number of seconds (got {secs})"),
        )
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn text(obj: &Bound<'_, PyString>, path: &str) -> Result<String, String> {
    obj.to_cow()
        .map(|s| s.into_owned())
        .map_err(|_| format!("{path}: is not valid text (it holds a lone surrogate)"))
}

fn to_value(obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("{path}: nested more than {MAX_DEPTH} levels deep"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return text(s, path).map(Value::String);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.is_truthy().unwrap_or(false)));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        return obj
            .extract::<u64>()
            .map(|u| Value::Number(u.into()))
            .map_err(|_| format!("{path}: integer is out of range"));
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
            let Ok(key) = k.cast::<PyString>() else {
                return Err(format!("{path}: keys must be str, got {}", type_name(&k)));
            };
            let key = text(key, path)?;
            let len = path.len();
            path.push('.');
            path.push_str(&key);
            let value = to_value(&v, path, depth + 1)?;
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
            out.push(to_value(&item, path, depth + 1)?);
            path.truncate(len);
        }
        return Ok(Value::Array(out));
    }
    // A response object of this package (anything with `to_dict()`), e.g. `session.order`.
    if let Ok(d) = obj.call_method0("to_dict") {
        if d.is_instance_of::<PyDict>() {
            return to_value(&d, path, depth + 1);
        }
    }
    Err(format!(
        "{path}: expected a dict, list, str, int, float, bool or None, got {}",
        type_name(obj)
    ))
}

/// A JSON value as plain Python objects.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
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

/// A core value as JSON (the SDK's models are plain data: this does not fail for them).
pub fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

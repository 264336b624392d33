"""Typed frames as Arrow bytes and back, exactly: the same columns, types, values and missing cells.

Used to keep parsed tables between runs of a command (`kept_tables`). Text columns become Arrow
strings, dictionary-encoded where values repeat (a log's 300,000 rows name a few thousand people),
and come back as columns of Python objects in which equal texts are one object: smaller, and
hashed once. Only the column types the parser makes are taken (`KEEPABLE`); anything else is
refused, so a frame is kept exactly or not at all.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

KEEPABLE = ("object", "int64", "Int64", "Float64", "boolean", "datetime64[us]")


class NotKeepable(ValueError):
    """A frame holds a column this format does not bring back exactly."""


def frame_bytes(frame: pd.DataFrame) -> bytes:
    if not frame.columns.is_unique:
        raise NotKeepable("repeated column names")
    arrays = {str(name): _array(frame[name]) for name in frame.columns}
    table = pa.table(arrays) if arrays else pa.table({})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def frame_from_bytes(data: bytes, dtypes: dict[str, str], length: int | None = None) -> pd.DataFrame:
    """The frame `frame_bytes` made, given each column's type (the frame's own `dtypes`, as text) and
    its length; `NotKeepable` for bytes that do not hold such a frame."""
    table = checked(data, dtypes, length)
    return pd.DataFrame({name: _series(table.column(name).combine_chunks(), dtype) for name, dtype in dtypes.items()},
                        index=pd.RangeIndex(table.num_rows))


class KeptColumns:
    """One column at a time of a frame kept as `frame_bytes` (see `Deferred`): read from the bytes
    `data()` gives, as Arrow, without making the other columns' values."""

    def __init__(self, data, dtypes: dict[str, str]):
        self._data, self._dtypes = data, dtypes

    def _array(self, name: str) -> pa.Array:
        return self._table().column(name).combine_chunks()

    def _table(self) -> pa.Table:
        return pa.ipc.open_stream(pa.py_buffer(self._data())).read_all()

    def column(self, name: str, rows=None) -> np.ndarray:
        return self.columns([name], rows)[name]

    def columns(self, names: list[str], rows=None) -> dict[str, np.ndarray]:
        """Some columns (at `rows`, positions, or whole), the kept bytes read once for all of them."""
        table = self._table().select(names)
        if rows is not None:
            table = table.take(pa.array(np.asarray(rows, dtype=np.int64)))
        return {name: _series(table.column(name).combine_chunks(), self._dtypes[name]).to_numpy() for name in names}

    def holds(self, name: str, values) -> np.ndarray:
        """Per value (text), whether the column holds it: looked up by Arrow, no Python object per row."""
        array = self._array(name)
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        try:
            wanted = pa.array(list(values), type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value other than text: compared as Python objects
            present = frozenset(_objects(array))
            return np.fromiter((value in present for value in values), dtype=bool, count=len(values))
        # the few values are hashed and the column scanned, not the other way (a hash of 300,000 IDs: 29 MiB)
        present = pc.filter(array, pc.is_in(array, value_set=wanted, skip_nulls=True))
        return pc.is_in(wanted, value_set=present, skip_nulls=True).to_numpy(zero_copy_only=False)


_ARROW_TYPES = {"object": (pa.string(),), "int64": (pa.int64(),), "Int64": (pa.int64(),), "Float64": (pa.float64(),),
                "boolean": (pa.bool_(),), "datetime64[us]": (pa.timestamp("us"),)}


def checked(data: bytes, dtypes: dict[str, str], length: int | None = None) -> pa.Table:
    """The Arrow table in `data`, when it has exactly these columns, of types that make these dtypes, and
    `length` rows; else `NotKeepable` (a damaged or foreign file is not read as tables)."""
    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except (pa.ArrowException, OSError, TypeError, ValueError) as error:
        raise NotKeepable(f"not a kept frame: {error}") from None
    if table.column_names != list(dtypes) or (length is not None and table.num_rows != length):
        raise NotKeepable("a kept frame of other columns or length")
    for name, dtype in dtypes.items():
        kind = table.schema.field(name).type
        kind = kind.value_type if pa.types.is_dictionary(kind) else kind
        if kind not in _ARROW_TYPES.get(dtype, ()):
            raise NotKeepable(f"kept column {name!r} is {kind}, not {dtype}")
    return table


def dtypes_of(frame: pd.DataFrame) -> dict[str, str]:
    return {str(name): str(dtype) for name, dtype in frame.dtypes.items()}


def _array(column: pd.Series) -> pa.Array:
    dtype = str(column.dtype)
    if dtype not in KEEPABLE:
        raise NotKeepable(f"column {column.name!r} is {dtype}")
    if dtype != "object":
        return pa.array(column, from_pandas=True)
    try:  # Arrow infers `string` exactly when every value is text or missing
        texts = pa.array(column.to_numpy())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        texts = None
    if texts is not None and pa.types.is_null(texts.type):
        texts = texts.cast(pa.string())
    if texts is None or texts.type != pa.string():
        raise NotKeepable(f"column {column.name!r} holds values other than text")
    encoded = texts.dictionary_encode()
    return encoded if len(encoded.dictionary) * 2 < len(texts) else texts


def _series(array: pa.Array, dtype: str) -> pd.Series:
    if dtype == "object":
        return pd.Series(_objects(array), dtype=object)
    if dtype in ("int64", "datetime64[us]"):
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype=dtype)
    mask = array.is_null().to_numpy(zero_copy_only=False)
    if dtype == "boolean":
        return pd.Series(pd.arrays.BooleanArray(array.fill_null(False).to_numpy(zero_copy_only=False), mask))
    if dtype == "Int64":
        return pd.Series(pd.arrays.IntegerArray(array.fill_null(0).to_numpy().astype(np.int64), mask))
    return pd.Series(pd.arrays.FloatingArray(array.fill_null(0.0).to_numpy().astype(np.float64), mask))


def _objects(array: pa.Array) -> np.ndarray:
    """Python str objects (None where missing); of a dictionary, one object per distinct text."""
    if pa.types.is_dictionary(array.type):
        texts = np.append(array.dictionary.to_numpy(zero_copy_only=False).astype(object), None)
        return texts[array.indices.fill_null(len(array.dictionary)).to_numpy().astype(np.intp)]
    return array.to_numpy(zero_copy_only=False).astype(object)

"""ctypes loader of libraries compiled by ``seqmix-compile`` (CPU functions).

A compiled library exports ``seqmix_library()`` and ``seqmix_last_error()``
(``include/seqmix/Runtime/SeqMixABI.h``). This module reads the metadata and
calls entry points on numpy arrays::

    lib = Library("model.so")
    fn = lib["forward"]
    outputs = fn(q, k, v)          # numpy arrays in, numpy arrays out

Symbols (dynamic dimensions) are bound from the inputs' shapes; outputs are
allocated from the shape rules and poisoned with NaN before the call, so an
element the function does not write shows up. bf16 arrays are passed as
uint16 bit patterns (see ``reference.bf16_bits``).
"""
import ctypes

import numpy as np

ABI_VERSION = 1

_DTYPES = {0: np.float32, 1: np.float64, 2: np.uint16, 3: np.float16, 4: np.int32, 5: np.int64,
           6: np.bool_, 7: np.int8, 8: np.int16}
_DTYPE_NAMES = {0: "f32", 1: "f64", 2: "bf16", 3: "f16", 4: "i32", 5: "i64", 6: "bool", 7: "i8", 8: "i16"}
_STATUS = {0: "ok", 1: "invalid argument", 2: "shape", 3: "CUDA", 4: "out of memory", 5: "internal"}


class _Dim(ctypes.Structure):
    _fields_ = [("symbol", ctypes.c_int32), ("offset", ctypes.c_int64)]


class _Arg(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(_Dim))]


_ENTRY = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                          ctypes.POINTER(ctypes.c_int64), ctypes.c_void_p)


class _Function(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("device", ctypes.c_int), ("num_inputs", ctypes.c_int32),
                ("inputs", ctypes.POINTER(_Arg)), ("num_outputs", ctypes.c_int32),
                ("outputs", ctypes.POINTER(_Arg)), ("num_symbols", ctypes.c_int32),
                ("symbol_names", ctypes.POINTER(ctypes.c_char_p)), ("entry", _ENTRY)]


class _LibraryInfo(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_int32), ("num_functions", ctypes.c_int32),
                ("functions", ctypes.POINTER(_Function))]


class SeqMixError(RuntimeError):
    """A failed call of a compiled function, or inputs that do not fit it."""


class ArgInfo:
    def __init__(self, a):
        self.name = a.name.decode()
        self.dtype_code = a.dtype
        self.dtype = _DTYPES[a.dtype]
        self.dtype_name = _DTYPE_NAMES[a.dtype]
        self.dims = [(a.dims[i].symbol, a.dims[i].offset) for i in range(a.rank)]

    def shape(self, symbols):
        return tuple(off if sym < 0 else symbols[sym] + off for sym, off in self.dims)

    def describe(self, symbol_names):
        parts = []
        for sym, off in self.dims:
            if sym < 0:
                parts.append(str(off))
            else:
                parts.append(symbol_names[sym] + ("%+d" % off if off else ""))
        return "%s: %s[%s]" % (self.name, self.dtype_name, ", ".join(parts))


class Function:
    """One entry point of a compiled library."""

    def __init__(self, lib, f):
        self._lib = lib
        self.name = f.name.decode()
        self.device = "cpu" if f.device == 0 else "cuda"
        self.inputs = [ArgInfo(f.inputs[i]) for i in range(f.num_inputs)]
        self.outputs = [ArgInfo(f.outputs[i]) for i in range(f.num_outputs)]
        self.symbol_names = [f.symbol_names[i].decode() for i in range(f.num_symbols)]
        self._entry = f.entry

    def __repr__(self):
        ins = ", ".join(a.describe(self.symbol_names) for a in self.inputs)
        outs = ", ".join(a.describe(self.symbol_names) for a in self.outputs)
        return "%s(%s) -> (%s)" % (self.name, ins, outs)

    def bind(self, arrays):
        """The symbols' values implied by the inputs' shapes."""
        if len(arrays) != len(self.inputs):
            raise SeqMixError("%s takes %d inputs, got %d" % (self.name, len(self.inputs), len(arrays)))
        symbols = [None] * len(self.symbol_names)
        for info, a in zip(self.inputs, arrays):
            if a.dtype != info.dtype:
                raise SeqMixError("input '%s' must be %s (%s), got %s" % (info.name, info.dtype_name,
                                                                         np.dtype(info.dtype).name, a.dtype))
            if a.ndim != len(info.dims):
                raise SeqMixError("input '%s' must have rank %d, got shape %s" % (info.name, len(info.dims), a.shape))
            for d, ((sym, off), size) in enumerate(zip(info.dims, a.shape)):
                if sym < 0:
                    if size != off:
                        raise SeqMixError("input '%s' dimension %d must be %d, got %d" % (info.name, d, off, size))
                    continue
                value = size - off
                if value < 0:
                    raise SeqMixError("input '%s' dimension %d (%s) is too small: %d" % (
                        info.name, d, self.symbol_names[sym], size))
                if symbols[sym] is None:
                    symbols[sym] = value
                elif symbols[sym] != value:
                    raise SeqMixError("input '%s' dimension %d gives %s = %d, but an earlier input gave %d" % (
                        info.name, d, self.symbol_names[sym], value, symbols[sym]))
        missing = [self.symbol_names[i] for i, s in enumerate(symbols) if s is None]
        if missing:
            raise SeqMixError("no input binds %s" % ", ".join(missing))
        return symbols

    def __call__(self, *arrays):
        if self.device != "cpu":
            raise SeqMixError("%s runs on CUDA: call it through seqmix-run or with device pointers" % self.name)
        # np.require, not np.ascontiguousarray: that makes a 0-d array 1-d.
        arrays = [np.require(a, requirements="C") for a in arrays]
        symbols = self.bind(arrays)
        outputs = []
        for info in self.outputs:
            out = np.empty(info.shape(symbols), dtype=info.dtype)
            if np.issubdtype(info.dtype, np.floating):
                out.fill(np.nan)
            elif info.dtype == np.uint16:
                out.fill(0x7FC0)  # bf16 NaN
            outputs.append(out)
        ins = (ctypes.c_void_p * max(1, len(arrays)))(*[a.ctypes.data for a in arrays])
        outs = (ctypes.c_void_p * max(1, len(outputs)))(*[o.ctypes.data for o in outputs])
        syms = (ctypes.c_int64 * max(1, len(symbols)))(*symbols)
        status = self._entry(ins, outs, syms, None)
        if status != 0:
            raise SeqMixError("%s failed (%s): %s" % (self.name, _STATUS.get(status, status), self._lib.last_error()))
        return outputs


class Library:
    """A compiled SeqMix library."""

    def __init__(self, path):
        self._dll = ctypes.CDLL(path)
        for sym in ("seqmix_library", "seqmix_last_error"):
            if not hasattr(self._dll, sym):
                raise SeqMixError("%s is not a SeqMix library: it does not export %s" % (path, sym))
        self._dll.seqmix_library.restype = ctypes.POINTER(_LibraryInfo)
        self._dll.seqmix_last_error.restype = ctypes.c_char_p
        info = self._dll.seqmix_library().contents
        if info.abi_version != ABI_VERSION:
            raise SeqMixError("%s has ABI version %d, expected %d" % (path, info.abi_version, ABI_VERSION))
        self.functions = {}
        for i in range(info.num_functions):
            f = Function(self, info.functions[i])
            self.functions[f.name] = f

    def last_error(self):
        return (self._dll.seqmix_last_error() or b"").decode()

    def __getitem__(self, name):
        try:
            return self.functions[name]
        except KeyError:
            raise SeqMixError("no function '%s' (the library has %s)" % (name, ", ".join(self.functions))) from None

"""The multilayer perceptron in the lecture's notation.

Layer ``m = 1..M`` (the inputs are not a layer) computes ``u^m = W^m y^{m-1} + b^m`` and
``y^m = f^m(u^m)``, with ``y^0 = x``. ``W^m`` has shape ``(N_m, N_{m-1})``: row ``i`` holds
the incoming weights ``w_{i,j}^m`` of node ``i``.

All parameters live in one contiguous vector ``theta`` of length
``P = Σ_m N_m (N_{m-1} + 1)``, ordered ``W^1`` (row-major), ``b^1``, ``W^2``, ``b^2``, …;
each ``layers[m-1].W`` and ``.b`` is a *view* of it, so writing through a layer changes
``theta`` and an optimizer steps on ``theta`` without packing anything.

Example
-------
>>> from sinapse import MLP
>>> net = MLP([2, 2, 1], activation="logistic", seed=0)
>>> net.n_params
9
>>> net.layers[0].W.shape
(2, 2)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._checks import as_matrix, check_positive_int, check_width
from .activations import Activation, get_activation
from .init import Initializer, as_generator, get_initializer

if TYPE_CHECKING:
    from .backprop import Workspace

Array = np.ndarray
_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_MAX_WORKSPACES = 8


class Layer:
    """Layer ``m``: views ``W`` (``N_m × N_{m-1}``) and ``b`` (``N_m``) into ``theta``."""

    __slots__ = ("W", "activation", "b", "m")

    def __init__(self, m: int, W: Array, b: Array, activation: Activation) -> None:
        self.m, self.W, self.b, self.activation = m, W, b, activation

    @property
    def shape(self) -> tuple[int, int]:
        return self.W.shape  # type: ignore[return-value]

    def __repr__(self) -> str:
        n_out, n_in = self.W.shape
        return f"Layer(m={self.m}, W: {n_out}×{n_in}, b: {n_out}, f={self.activation.name})"


class MLP:
    """A fully connected feed-forward network with all weights in one vector ``theta``.

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths ``[N_0, N_1, …, N_M]``, the input width first; ``[2, 2, 1]`` is the
        lecture's 2-2-1 network.
    activation : str or sequence of str
        Hidden-layer activation, one name or one per hidden layer: identity, logistic,
        tanh, relu, leaky_relu, elu, softplus.
    output_activation : str
        Activation of layer ``M``; softmax is allowed here only.
    init : str or callable
        Initialiser: normal, uniform, glorot (default), he, nguyen_widrow, or a
        callable ``init(rng, W, b, is_output)`` filling ``W`` and ``b`` in place.
    seed : int, numpy Generator or None
        The same int seed gives a bit-identical ``theta``.
    dtype : numpy.float64 (default) or numpy.float32
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str | Sequence[str] = "tanh",
        output_activation: str = "identity",
        init: str | Initializer = "glorot",
        seed: int | np.random.Generator | None = None,
        dtype: type | np.dtype = np.float64,
    ) -> None:
        where = "MLP"
        if isinstance(layer_sizes, str | bytes) or not isinstance(
            layer_sizes, Sequence | np.ndarray
        ):
            raise TypeError(f"{where}: layer_sizes must be a list of ints like [2, 2, 1]; "
                            f"got {layer_sizes!r}.")
        if len(layer_sizes) < 2:
            raise ValueError(f"{where}: layer_sizes needs the input width and at least one layer, "
                             f"e.g. [2, 2, 1]; got {list(layer_sizes)!r}.")
        self.layer_sizes = tuple(check_positive_int(n, "every layer size", where)
                                 for n in layer_sizes)
        M = len(self.layer_sizes) - 1
        single = isinstance(activation, str | Activation)
        if not single and not isinstance(activation, Sequence):
            raise TypeError(f"{where}: activation must be a name like 'tanh' or a list of names, "
                            f"one per hidden layer; got {activation!r}.")
        hidden = [activation] * (M - 1) if single else list(activation)
        if len(hidden) != M - 1:
            raise ValueError(f"{where}: activation lists {len(hidden)} names but the network has "
                             f"{M - 1} hidden layers; give one name or one per hidden layer.")
        acts = [get_activation(a) for a in [*hidden, output_activation]]
        for m, act in enumerate(acts[:-1], start=1):
            if not act.elementwise:
                raise ValueError(f"{where}: {act.name} is allowed only on the output layer; "
                                 f"hidden layer {m} asked for it. Use tanh or relu there.")
        self.activations: tuple[Activation, ...] = tuple(acts)
        self.dtype = np.dtype(dtype)
        if self.dtype not in _DTYPES:
            raise TypeError(f"{where}: dtype must be float64 or float32; got {self.dtype}.")
        self.init = init
        self._initializer = get_initializer(init)
        # offsets of W^m and b^m in theta
        self._offsets: list[tuple[int, int, int]] = []
        start = 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            self._offsets.append((start, start + n_out * n_in, start + n_out * (n_in + 1)))
            start += n_out * (n_in + 1)
        self._theta = np.zeros(start, dtype=self.dtype)
        self.layers = [Layer(m, W, b, act) for m, ((W, b), act)
                       in enumerate(zip(self.views(self._theta), acts, strict=True), start=1)]
        self._workspaces: OrderedDict[int, Workspace] = OrderedDict()
        self.initialize(seed)

    # --- parameters ------------------------------------------------------------------
    @property
    def theta(self) -> Array:
        """All weights, ``W^1, b^1, …, W^M, b^M``; the layers are views of this array."""
        return self._theta

    @theta.setter
    def theta(self, value: object) -> None:
        arr = np.asarray(value)
        if arr.shape != self._theta.shape:
            raise ValueError(f"MLP.theta: expected a vector of {self.n_params} weights; "
                             f"got shape {arr.shape}.")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"MLP.theta: weights must be real numbers; got dtype {arr.dtype}.")
        if not np.isfinite(arr).all():
            raise ValueError(f"MLP.theta: the new weights contain {int((~np.isfinite(arr)).sum())}"
                             f" NaN or infinite value(s); every weight must be finite.")
        self._theta[...] = arr  # copy in place, so every layer view stays valid

    @property
    def n_params(self) -> int:
        """``P = Σ_m N_m (N_{m-1} + 1)``."""
        return self._theta.size

    @property
    def n_layers(self) -> int:
        """``M``, the number of layers (hidden plus output; inputs are not a layer)."""
        return len(self.layers)

    @property
    def n_inputs(self) -> int:
        return self.layer_sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.layer_sizes[-1]

    def views(self, vector: Array) -> list[tuple[Array, Array]]:
        """``[(W^1, b^1), …]`` as views of any vector with ``theta``'s layout (a gradient too)."""
        out = []
        for (w0, w1, b1), n_out, n_in in zip(self._offsets, self.layer_sizes[1:],
                                             self.layer_sizes[:-1], strict=True):
            out.append((vector[w0:w1].reshape(n_out, n_in), vector[w1:b1]))
        return out

    def layer_slices(self) -> list[tuple[slice, slice]]:
        """``[(slice of W^m, slice of b^m), …]`` into ``theta``."""
        return [(slice(w0, w1), slice(w1, b1)) for w0, w1, b1 in self._offsets]

    def initialize(self, seed: int | np.random.Generator | None = None) -> MLP:
        """Draw new initial weights with the network's initialiser; returns ``self``."""
        rng = as_generator(seed)
        M = self.n_layers
        for layer in self.layers:
            self._initializer(rng, layer.W, layer.b, layer.m == M)
        if not np.isfinite(self._theta).all():
            raise ValueError("MLP: the initialiser produced non-finite weights.")
        return self

    def copy(self) -> MLP:
        """An independent network with the same architecture and a copy of ``theta``."""
        new = object.__new__(MLP)
        new.__dict__.update(self.__dict__)
        new._theta = self._theta.copy()
        new.layers = [Layer(m, W, b, act) for m, ((W, b), act)
                      in enumerate(zip(new.views(new._theta), self.activations, strict=True),
                                   start=1)]
        new._workspaces = OrderedDict()
        return new

    # --- use -------------------------------------------------------------------------
    def predict(self, X: object) -> Array:
        """Network outputs ``y^M`` for inputs ``X`` (``N × N_0``), shape ``(N, N_M)``."""
        from .backprop import forward_into  # local import: backprop imports this module

        Xa = as_matrix(X, "X", "MLP.predict", self.dtype)
        check_width(Xa, self.n_inputs, "X", "inputs", "MLP.predict")
        ws = self.workspace(Xa.shape[0])
        return forward_into(self, Xa, self._theta, ws).copy()

    def workspace(self, n_rows: int) -> Workspace:
        """Work buffers for batches of ``n_rows`` rows, made once and reused (a few kept)."""
        from .backprop import Workspace

        ws = self._workspaces.get(n_rows)
        if ws is None:
            ws = Workspace(self, n_rows)
            self._workspaces[n_rows] = ws
            while len(self._workspaces) > _MAX_WORKSPACES:
                self._workspaces.popitem(last=False)
        else:
            self._workspaces.move_to_end(n_rows)
        return ws

    def summary(self) -> str:
        """A table of layers, shapes, activations and parameter counts."""
        sizes = "-".join(map(str, self.layer_sizes))
        rows = [f"MLP {sizes}  ({self.dtype}, init={self._init_name()})",
                f"  {'layer':<7}{'W^m':<12}{'b^m':<7}{'f^m':<12}{'params':>8}"]
        for layer in self.layers:
            n_out, n_in = layer.W.shape
            rows.append(f"  m={layer.m:<5}{f'{n_out}×{n_in}':<12}{n_out:<7}"
                        f"{layer.activation.name:<12}{n_out * (n_in + 1):>8}")
        rows.append(f"  total parameters P = {self.n_params}")
        return "\n".join(rows)

    def _init_name(self) -> str:
        return self.init if isinstance(self.init, str) else getattr(self.init, "__name__", "custom")

    def __repr__(self) -> str:
        acts = [a.name for a in self.activations]
        hidden = acts[0] if len(set(acts[:-1])) == 1 else acts[:-1]
        return (f"MLP({list(self.layer_sizes)}, activation={hidden!r}, "
                f"output_activation={acts[-1]!r}, n_params={self.n_params})")

"""Neural-network modules on the scalar engine, one concern per module.

- :mod:`autograd.nn.module`: ``Module``, the base of every module, ``Sequential``,
  ``Activation`` (one of ``ACTIVATIONS`` as a module) and ``PReLU``;
- :mod:`autograd.nn.init`: the weight initialisation schemes (``INITS``, ``init_weights``,
  ``init.normal(std)``, ``init.uniform(low, high)``);
- :mod:`autograd.nn.linear`: ``Neuron``, ``Layer``, ``MLP``, ``Dropout``;
- :mod:`autograd.nn.image`: images as nested lists ``[c][i][j]``, ``Flatten``, ``Unflatten``;
- :mod:`autograd.nn.conv`: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``;
- :mod:`autograd.nn.recurrent`: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and ``Unrolled``, a cell
  run over a sequence.

Constructors and call semantics follow micrograd: ``Neuron(nin)``, ``Layer(nin, nout)``,
``MLP(nin, nouts)``; a neuron keeps ``.w`` and ``.b``, a layer ``.neurons``, an MLP
``.layers``; ``parameters()`` lists each neuron's weights then its bias; a layer of one neuron
returns a single Value. A neuron's weighted sum is one fused ``dot`` node (its local
derivatives are the inputs and the weights), followed by one activation node. Every parameter
is labelled with its :meth:`Module.named_parameters` name (``layers.0.neurons.3.w.5``), so
graph pictures show which neuron a weight belongs to.

>>> model = MLP(2, [3, 1], seed=0)
>>> y = model([1.0, -2.0])
>>> y.backward()
>>> model.num_parameters(), (3 * 2 + 3) + (1 * 3 + 1)
(13, 13)
>>> model.layers[1].neurons[0].w[2].label
'layers.1.neurons.0.w.2'
"""

from autograd.nn import init
from autograd.nn.conv import AvgPool2d, Conv2d, MaxPool2d
from autograd.nn.image import Flatten, Unflatten
from autograd.nn.init import INITS, init_weights
from autograd.nn.linear import MLP, Dropout, Layer, Neuron, mlp_parameter_count
from autograd.nn.module import ACTIVATIONS, Activation, Input, Inputs, Module, PReLU, Sequential
from autograd.nn.recurrent import GRUCell, LSTMCell, RNNCell, Unrolled

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "Activation",
    "AvgPool2d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "GRUCell",
    "Input",
    "Inputs",
    "LSTMCell",
    "Layer",
    "MaxPool2d",
    "Module",
    "Neuron",
    "PReLU",
    "RNNCell",
    "Sequential",
    "Unflatten",
    "Unrolled",
    "init",
    "init_weights",
    "mlp_parameter_count",
]

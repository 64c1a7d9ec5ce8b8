"""Pictures of computation graphs: ``draw_dot``, paths, the step-through and training players.

Nothing here imports graphviz until a picture is drawn, so ``import autograd.viz`` is cheap.

>>> from autograd import Value
>>> from autograd.viz import draw_dot
>>> x = Value(2.0, label="x")
>>> "digraph" in draw_dot(x * x).source
True
"""

from autograd.viz.collapse import label_parameters
from autograd.viz.consistency import StaleGradWarning, check_grads
from autograd.viz.dot import draw_dot
from autograd.viz.explain import PathExplanation, count_paths, explain_paths
from autograd.viz.stepper import StepThrough, step_through
from autograd.viz.training import TrainingPlayer, record_training

__all__ = [
    "PathExplanation",
    "StaleGradWarning",
    "StepThrough",
    "TrainingPlayer",
    "check_grads",
    "count_paths",
    "draw_dot",
    "explain_paths",
    "label_parameters",
    "record_training",
    "step_through",
]

"""Registers the Larder extension with Metaflow's `metaflow_extensions` mechanism.

Metaflow finds this module by its name (`mfextinit_<org>.py`) in the `metaflow_extensions` namespace package
and adds the `@larder` step decorator, so `from metaflow import larder` and `--with larder` both work.
"""

STEP_DECORATORS_DESC = [
    ("larder", ".larder_decorator.LarderStepDecorator"),
]

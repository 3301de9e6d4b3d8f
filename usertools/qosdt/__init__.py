# SPDX-License-Identifier: BSD-3-Clause
"""qosdt's Python: the one package the scripts in usertools/ and the tests
in test/ share (doc/python.md says which module owns what)."""
import os

# The source tree: the configs and scenarios are named relative to it.
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# SPDX-License-Identifier: BSD-3-Clause
"""qosdt's Python: the one package the scripts in usertools/ and the tests
in test/ share (doc/python.md says which module owns what)."""

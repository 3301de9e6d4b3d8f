#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Where a realtime round trip goes, hop by hop: joins the client's and the
server's --trace files (app/hop_trace.h) into each hop's median, p90 and
p99 (qosdt.hops).

Usage: usertools/qosdt_hops.py CLIENT_TRACE SERVER_TRACE
"""
import sys

from qosdt.hops import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Bridgekeeper's veth benchmark harness (`make bench-net`): testbed, candidates, measurements, report.

Python 3 standard library only, so it runs on any Debian machine that has the packages
`deploy/bench/bench.mk` installs. Entry point: `deploy/bench/bench.py`.
"""

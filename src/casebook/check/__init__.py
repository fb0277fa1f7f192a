"""`casebook check`: every rule over the sources, each problem of every file in one run, and
the check's cache.
"""

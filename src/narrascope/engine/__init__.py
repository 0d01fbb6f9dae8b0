"""Engines: where the documents of a corpus are analysed (this process, local processes, a Dask cluster).

`partitions` cuts a corpus into parts that can be analysed anywhere, `worker` analyses one part into
`DIR/part-NNNNN.jsonl`, `manifest` records and resumes a run, `dask` drives a Dask cluster. Dask is an optional
extra (`pip install narrascope[dask]`): only `narrascope.engine.dask` imports it, and only when it runs.
"""

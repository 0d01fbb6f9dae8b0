"""Engines: where the documents of a corpus are analysed (this process, local processes, a Dask cluster).

Every engine calls the same worker function, `local.analyze_chunk(spec, records)`: it builds the pipeline of
`spec` once per process (models load once) and analyses a chunk of read documents, in order. `local` is a pool
of processes on this machine; for a cluster, `partitions` cuts a corpus into parts that can be analysed
anywhere, `worker` analyses one part into `DIR/part-NNNNN.jsonl`, `manifest` records and resumes a run, and
`dask` drives a Dask cluster. Dask is an optional extra (`pip install narrascope[dask]`): only
`narrascope.engine.dask` imports it, and only when it runs.
"""

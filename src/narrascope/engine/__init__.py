"""Engines: where the pipeline runs over a batch. `local` is a pool of processes on this machine.

Every engine calls the same worker function, `analyze_chunk(spec, records)`: it builds the pipeline of
`spec` once per process (models load once) and analyses a chunk of read documents, in order. Reading stays in
the calling process, so an engine only moves `ReadResult`s in and `Outcome`s out.
"""

"""``graphspec lsp``: a language server for specs (diagnostics, hover, completion, definitions, symbols, quick fixes).

A view over the checked graph, like ``summary``: it never imports TensorFlow.
:mod:`graphspec.lsp.analysis` runs validate's pipeline on a buffer,
:mod:`graphspec.lsp.features` answers each request from that analysis, and
:mod:`graphspec.lsp.server` speaks the protocol over stdio with pygls.
"""

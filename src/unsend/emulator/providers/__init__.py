"""One module per emulated provider, each exporting its ``Emulated`` (see ``.._kit``)."""

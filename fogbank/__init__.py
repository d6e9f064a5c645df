"""fogbank: a free, open-source AWS cloud that runs on one laptop or CI runner."""

__version__ = "0.1.0"

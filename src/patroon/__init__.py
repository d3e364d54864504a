"""patroon: reproducible comparative case studies from coded case YAML."""

__version__ = "0.1.0"

"""sharepack: Databricks DLT pipelines and their schedule jobs from a declarative YAML file."""

__version__ = "0.1.0"

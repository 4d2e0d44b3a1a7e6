"""Unity Catalog: the metastore, its catalogs, schemas and tables, and Delta Sharing's shares,
recipients and providers."""

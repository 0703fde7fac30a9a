"""Event ingestion: validation, batch storage, bulk import from files and data sets."""

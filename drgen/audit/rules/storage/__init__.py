"""Rules on stored data: S3 replication order, TLS and public access; tables and databases kept."""

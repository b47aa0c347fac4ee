"""Rules on Route 53: health checks that work and can pass, records that steer between regions."""

"""Rules on how the Pulumi program is written: providers, names, outputs, dependencies, tests."""

"""Rules on who may do what: public Function URL permissions, secrets, IAM wildcards."""

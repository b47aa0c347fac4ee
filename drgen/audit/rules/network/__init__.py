"""Rules on networks: what a VPC function reaches, and peering between regions."""

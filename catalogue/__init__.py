"""What we offer: service categories and services with their lifecycle (pipeline, live, retired)."""

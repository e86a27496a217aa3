"""Where: the municipality's sites (Table 1 of the ICT Service Strategy), their buildings and assets."""

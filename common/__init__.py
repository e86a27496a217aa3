"""The ground floor: pieces every app shares, knowing none of them (docs/architecture.md)."""

// Mirror: see architecture.md

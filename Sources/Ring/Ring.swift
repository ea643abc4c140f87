// Ring: see architecture.md

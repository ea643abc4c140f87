// Pipeline: see architecture.md

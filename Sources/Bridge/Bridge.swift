// Bridge: see architecture.md

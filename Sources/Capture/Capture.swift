// Capture: see architecture.md

// Loader: see architecture.md

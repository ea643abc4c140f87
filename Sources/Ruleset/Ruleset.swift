// Ruleset: see architecture.md

"""Random inspections (双随机、一公开): item list, inspector roster, plans, verifiable draws, results, publication."""

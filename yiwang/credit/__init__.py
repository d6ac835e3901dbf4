"""Credit (信用): market entities, credit records, risk classes, risk-warning clues, the financing board."""

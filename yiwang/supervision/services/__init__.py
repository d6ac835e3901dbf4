"""Every write of supervision: ``plan`` (import), ``tasks`` (milestones, reports, 督办单, closing),
``ledgers`` (清欠 and 专项治理), ``indicators`` (entered values), ``deadlines`` (the sweep's handlers)."""

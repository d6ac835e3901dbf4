"""Supervising the plan (督查督办) and measuring the business environment (营商环境监测)."""

"""Construction-project approval (工程建设项目审批) with stewards, and utility connections (用电/用水/用气报装)."""

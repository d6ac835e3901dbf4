def plan_list(r):
    pass

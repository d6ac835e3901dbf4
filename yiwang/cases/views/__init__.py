"""Pages of the applications app: the applicant's portal, the kiosk, the window, the department, the leader."""

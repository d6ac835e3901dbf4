"""Test data. CSV_2027 is invented for the tests (2027's notice is not published yet)."""

CSV_2027 = """# 2027 — invented test data, not the State Council's notice
2027-01-01..2027-01-04,holiday,元旦
2027-02-05..2027-02-12,holiday,春节
2027-02-20,workday,春节调休
2027-04-05,holiday,清明节
2027-05-01..2027-05-05,holiday,劳动节
2027-06-09,holiday,端午节
2027-09-15,holiday,中秋节
2027-10-01..2027-10-07,holiday,国庆节
2027-10-09,workday,国庆节调休
"""

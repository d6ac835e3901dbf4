"""Ratings (好差评): one rating per finished case or replied appeal, rectification of bad ratings, the quarterly service check (效能大体检)."""

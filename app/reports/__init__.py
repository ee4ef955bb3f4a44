"""Reports: "ba công khai" — public statistics, stage clocks, the weekly report, open data."""

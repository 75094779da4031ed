"""Ways to show a result: terminal tables, JSON/CSV, Excel, figures."""

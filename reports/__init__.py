"""What ManCo sees: KPI queries, the monthly report and its runs."""

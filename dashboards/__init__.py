"""The Streamlit dashboard: a thin UI over the core (finance, rules). Run `cineledger dashboard`."""

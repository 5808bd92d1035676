"""Cost report and burn, read from the store, formatted for the edges."""

"""Use cases over the event store: the Registry application and the views it returns."""

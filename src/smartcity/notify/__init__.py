"""Notify: outbound messages (in-app, LINE, SMS) behind one interface, with delivery records."""

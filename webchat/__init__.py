"""The web chat: a channel adapter for the widget of 20000emplois.fr and the ``/chat`` page."""

"""One module per feature; `bot/app.py` wires them."""

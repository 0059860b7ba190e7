"""One module per thing a citizen can do in the chat."""

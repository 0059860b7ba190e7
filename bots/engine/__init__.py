"""The conversation engine, the same for every channel: ``router.handle(incoming)`` takes
one event from a chat (bots.engine.types) and returns the replies. Understanding (nlu,
lexicon, telex), per-chat state in Redis (state), one flow module per capability (flows)."""

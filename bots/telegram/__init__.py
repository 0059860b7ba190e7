"""Telegram: the webhook's update shapes, files sent by users, and replies in HTML mode."""

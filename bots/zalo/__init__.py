"""Zalo Official Account: webhook events, delivery receipts, replies with buttons."""

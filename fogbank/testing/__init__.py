"""Helpers for tests that run against a real fogbank: start one, make clients, move its clock."""

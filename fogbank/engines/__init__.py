"""Engines: the things that run by themselves beside the gateway, on fogbank's clock."""

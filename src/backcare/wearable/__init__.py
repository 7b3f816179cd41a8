"""Wearable adapters: sensor file readers, calibration, orientation and activity classification."""

"""Accuracy of point forecasts and intervals, against simple references."""

"""Rules on alarms: that they act, that someone hears them, that they watch a metric where it is."""

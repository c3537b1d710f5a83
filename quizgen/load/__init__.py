"""Loading: a pack folder of YAML and source texts read into a checked `Pack`, or every problem found."""

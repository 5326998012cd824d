"""Plugin modules written the way a third party would write them, for the tests to install through LMS_PLUGINS."""

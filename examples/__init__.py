"""Examples of hosts that use customers-plugin (run ``flask --app examples.host_app run``)."""

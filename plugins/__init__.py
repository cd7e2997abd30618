"""Built-in plugins, registered with the host like third-party ones."""

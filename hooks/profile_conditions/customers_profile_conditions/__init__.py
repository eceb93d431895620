"""Reference plugin: group conditions on the wallet balance and the language."""

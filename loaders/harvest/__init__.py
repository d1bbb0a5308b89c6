"""OAI-PMH harvesting: the sources file, the protocol client, the harvest and its state."""

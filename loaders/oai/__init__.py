"""OAI-PMH answers: the envelope reader (records go to the EAD, Dublin Core and EAC-CPF formats)."""

"""EAD fonds notices (EAD 2002 with or without namespace, EAD3 basics)."""

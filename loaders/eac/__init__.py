"""EAC-CPF 2010 authority records of persons, corporate bodies and families."""

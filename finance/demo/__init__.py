"""The bundled demo production: its generator and its loader."""

"""Street offices, communities, grids and buildings: where people live and who serves them."""

# (filled in by the part of the tree it belongs to)

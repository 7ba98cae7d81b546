-- Order lines moved to packed format version 2. Its step in Go rewrote the lines stored in
-- version 1; migration 6 now reads both versions (migration_0006.go), so nothing is left to do.
SELECT 1;
